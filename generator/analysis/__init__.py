"""Analysis stage: what the build works out from the library's records, beyond what curators wrote.

    themes/       theme rules (content/themes.yml) -> which papers belong to which
                  theme, and why; see its __init__ for the modules inside
    similarity.py related papers by TF-IDF cosine, with the terms that link them
    mentions.py   an abstract naming another paper of the library links to it
    stopwords.py  English stop words for similarity, without importing scikit-learn

Every function here is pure: records in, values out; nothing reads or writes files
except `themes.load_themes` and `themes.validate_against_library`, which read YAML.
"""
