"""Analysis stage: what the build works out from the library's records, beyond what curators wrote.

    themes/       theme rules (content/themes.yml) -> which papers belong to which
                  theme, and why; see its __init__ for the modules inside
    similarity.py related papers by TF-IDF cosine, with the terms that link them
    evidence.py   which shared terms may link two papers, and how much each weighs
    spelling.py   how a pair of papers writes a linking term ("GaLore", not "galore")
    ranking.py    the k best of each row of a block of scores
    wording.py    a link's terms told as a reader understands them
    mentions.py   an abstract naming another paper of the library links to it
    stopwords.py  English, research-writing and generic word lists, without importing scikit-learn

Every function here is pure: records in, values out; nothing reads or writes files
except `themes.load_themes` and `themes.validate_against_library`, which read YAML.
"""
