"""Mentions: an abstract that names another paper of the library links to it.

A paper's *short name* is the part of its title before the first colon when
that part is a name ("GaLore: Memory-Efficient ..." -> "GaLore"). Wherever
another paper's abstract writes that name, the name links to the paper, and
the paper lists the back-link.

What counts as a name (`short_name_of`)
    The part before the first colon, without a trailing parenthesis
    ("SmallToLarge (S2L)" -> "SmallToLarge"), of at most 3 words and 40
    characters, with at least one *coined* word. A word is coined when it
    - has a digit or a character other than letters, hyphens and
      apostrophes ("GLM-130B", "wav2vec", "ZeRO++", "QuIP#", "R&B");
    - has a capital letter after its first letter ("GaLore", "mBLIP") or is
      all capitals ("SPAM", "FILTER"), except generic acronyms ("LLM", "AI",
      "MoE", ...) and two-letter ordinary words ("IT");
    - or is not an ordinary English word ("Fira", "Llamba").
    So "Scaling Language Models", "Bridging the Gap" and "Understanding LLMs"
    are not names, and neither is a single ordinary word such as "Vary" or
    "Optima": common words are not names.

Ordinary words
    A word is ordinary when it is in the small built-in list below (the most
    common English words and the everyday vocabulary of the field), when it is
    hyphen-joined from such words ("White-Box"), or -- in `find_mentions`,
    which sees the whole library -- when the library itself writes it in
    lower case somewhere ("optima", "edge"). A name made only of ordinary
    words is dropped there. Case matters for the rule, not just for matching:
    "FILTER" and "EDGE" (all capitals) and "LLaMA" (camel case) are names
    even though "filter" and "edge" are ordinary words.

Matching
    Names match case-sensitively, as whole words, with a hyphen counted as
    part of a word: "SPAM" does not match inside "Stable-SPAM" and "GaLore"
    does not match inside "Natural-GaLore", but "GaLore's" and "(GaLore)"
    match. Spaces inside a name match any run of white space. Where names
    overlap, the longest wins ("Natural GaLore" over "GaLore"). Special
    characters are literal ("ZeRO++", "QuIP#", "A*").

    All names are compiled into one regular expression shaped as a trie (a
    character-by-character alternation, longer names tried first), so each
    position of an abstract costs at most the length of the longest name,
    whatever the number of names: matching is linear in the library's text.

A paper never mentions itself, and a name shared by two or more papers links
to none of them (ambiguous: there is no telling which one an abstract
means); its occurrences still take their text, so a shorter name inside
them does not link either.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterator, Sequence

from generator.model import Paper
from generator.analysis.last_call import kept_from_last
from generator.analysis.stopwords import ENGLISH_STOP_WORDS

MAX_WORDS = 3
MAX_CHARS = 40

# Acronyms of the field, number formats, hardware and chemistry: they name a
# kind of thing, not a paper ("CO2 emissions" is not the CO2 paper).
GENERIC_ACRONYMS = frozenset(
    """
    AI AGI ML DL NLP NLU NLG LLM LLMs LM LMs MLLM MLLMs VLM VLMs LVLM LVLMs VLA
    QA VQA RL RLHF RM RMs SFT DPO PPO MoE MoEs GPU GPUs TPU TPUs CPU CPUs API
    APIs SOTA CoT KV PEFT DNN DNNs CNN CNNs RNN RNNs NN NNs GAN GANs OCR ASR
    TTS IR RAG CV HPC IoT UI UX FLOP FLOPs GEMM SGD PDE US UK EU
    CO2 FP4 FP8 FP16 FP32 BF16 INT4 INT8 A100 H100 V100
    """.split()
)

# The most common English words and the everyday vocabulary of the field.
# With the library's own lower-case words (see `find_mentions`) this decides
# which capitalised words are ordinary rather than names.
_COMMON = """
a able about above across act action active actual adapt add after again against age agent
agents ago agree ahead aid aim air all allow almost alone along already also always among
amount analysis and animal another answer any anyone anything apart appear apply approach
area argue arm around art article as ask at attack attention auto average away back bad
balance ball bank bar base basic be bear beat beautiful because become bed before begin
behind being believe below benefit best better between beyond big bill bird bit black
blind block blood blue board boat body book boost born both box boy brain branch break
bridge bright bring broad brother budget build building burn business but buy by call
camera can cap capital car card care carry case cash cat catch cause cell center central
chain chair chance change character charge check child choice choose circle city claim
class clean clear climb close cloud club code cold collect color come common community
company compare complete compute computer concept condition consider contain content
continue control cook cool copy core corner cost could count country course cover create
crime critical cross crowd culture cup current cut cycle daily damage dark data date day
dead deal death debate decide decision deep defense degree deliver demand depth describe
design detail detect develop device die difference different dinner direct direction
discover discuss disease distance do doctor dog door double down draw dream dress drink
drive drop drug dual during each early earth easy eat economy edge effect effort eight
either else emerge empty end energy engine enjoy enough enter entire environment equal
error escape even evening event ever every evidence exact example exist expect expert
explain explore eye face fact factor fail fair fall family far fast father fear feature
feed feel few field fight figure fill film final find fine finger finish fire firm first
fish fit five fix flash flat flight floor flow fly focus follow food foot for force
foreign forest forget form forward four free friend from front full fun function future
gain game gap garden gas gate general get girl give glass global go goal gold good
government great green ground group grow growth guard guess gun guy hair half hand hang
happen happy hard have he head health hear heart heat heavy help her here hero high him
his history hit hold hole home hope horse hot hotel hour house how huge human hundred
idea identify if image impact important in increase indeed industry inside instead
interest into island issue it item its job join joint journey judge jump just keep key
kid kill kind king kitchen know lab labor lack lady land language large last late later
laugh law lay lead leader learn least leave left leg less lesson let letter level lie
life light like limit line link list listen little live local long look lose loss lot
love low machine main major make man manage many map mark market master match matter
may me mean measure media meet member memory mention message method middle might mind
minute miss mission mix model modern moment money month more morning most mother motion
mountain mouth move movie much music must my name nation native natural nature near need
network never new news next nice night nine no none nor normal north not note nothing
notice now number object off offer office often oil old on once one only open operation
option or order other our out outside over own owner page pain paint paper parent part
party pass past path pattern pay peace people per perform period person phone pick
picture piece place plan plant play player point police policy political poor popular
position positive possible post power practice prepare present press pretty prevent
price print private problem process produce product program project proof property
protect prove provide public pull push put quality question quick quiet race radio rain
raise range rate rather reach read ready real reason receive record red reduce reflect
region relate remain remember remove report rest result return reveal rich ride right
ring rise risk river road rock role room root rule run safe safety sale same save say
scale scene school science score sea search season seat second secret section see seek
seem sell send sense series serve service set seven several shape share she shift shoot
short shot should show side sign signal simple since sing single sister sit site six
size skill skin sleep slow small smart so social soft soldier some son song soon sort
sound source south space speak special speech speed spend spirit sport spring square
staff stage stand standard star start state station stay step still stock stone stop
store story strategy street strong structure student study stuff style subject success
such sudden summer sun supply support sure surface system table take talk target task
teach teacher team tell ten term test text than thank that the their them then theory
there these they thing think third this those though thousand three through throw tiny
time to today together tomorrow tone too top total touch tough toward town track trade
train training transfer travel treat tree trial trip trouble true trust truth try turn
twice two type under understand unit until up upon us use usual value vary various very
view village vision visit voice vote wait walk wall want war watch water wave way we
weapon wear weather week weight well west what when where which while white who whole
why wide wife will win window wish with within without woman wonder word work worker
world worry would write wrong yard yeah year yes yet you young your zero
accuracy adapter adaptive adversarial alignment benchmark bias binary cache calibration
causal chat checkpoint classifier clip cluster compression context corpus curriculum
decoder dense diffusion distillation domain dropout efficient embedding encoder ensemble
expert experts explain fusion generative gradient graph inference instruct instruction
kernel label latent layer learning linear loss mask matrix merge mixture momentum neural
noise optimal optimizer optimizers parallel parameter pipeline pretraining prompt
prompting pruning quantization query reasoning recall recipe reward robust router
routing sample sampling scaling search sparse synthetic teacher tensor token tokens
tokenizer transformer transformers tuning vector verifier vocabulary
aware beyond boosting byte capacity efficiency enhancing exploring how improving
investigating matter revisit rethink scalable toward towards understand unleash
unlock what when why
""".split()
COMMON_WORDS = frozenset(_COMMON) | ENGLISH_STOP_WORDS

_TRAILING_PAREN_RE = re.compile(r"\s*\([^()]*\)\s*$")
_PLAIN_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, inner hyphens/apostrophes
_LOWER_WORD_RE = re.compile(r"(?<![\w-])[a-z]+(?:-[a-z]+)*(?![\w-])")
_WORD_CHAR = r"[\w-]"  # a hyphen counts as part of a word at a name's edges
_WORD_CHAR_RE = re.compile(_WORD_CHAR)


@dataclass(frozen=True)
class Mention:
    name: str  # the short name as written in the abstract, e.g. "GaLore"
    target: str  # the key of the paper it names
    start: int  # character offsets in the mentioning paper's abstract
    end: int


@dataclass(frozen=True)
class Mentions:
    outgoing: dict[str, tuple[Mention, ...]]  # paper key -> mentions in its abstract, in text order
    incoming: dict[str, tuple[str, ...]]  # paper key -> keys of papers whose abstracts mention it, sorted


def _stems(lower: str) -> list[str]:
    """The word and its likely base forms: "matters" -> "matter", "rethinking" -> "rethink"."""
    forms = [lower]
    for suffix, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ing", ("", "e")), ("ed", ("", "e"))):
        if lower.endswith(suffix) and len(lower) - len(suffix) >= 3:
            forms.extend(lower[: -len(suffix)] + r for r in replacements)
    return forms


def _is_ordinary(word: str, library_words: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a word made of letters is an ordinary word, not a coinage.

    Ordinary: in the built-in list (or an inflection of a word in it), made of
    two such words with a hyphen ("White-Box", "Dual-Head"), or among
    `library_words`, the words the library writes in lower case.
    """
    lower = word.lower().replace("’", "'")
    if lower in library_words or any(form in COMMON_WORDS for form in _stems(lower)):
        return True
    parts = lower.split("-")
    return len(parts) == 2 and all(any(form in COMMON_WORDS for form in _stems(p)) for p in parts)


def _spelled_like_a_name(word: str, library_words: frozenset[str] | set[str] = frozenset()) -> bool:
    """A word whose spelling makes it a name, whatever the dictionary says.

    Digits or symbols ("GLM-130B", "ZeRO++", "R&B"); a capital inside a part
    ("GaLore", "mBLIP", "SPAM", "Stable-SPAM"; all-capital parts of two
    letters only when not a word: "Mix-LN" but not "IT"); or a coined
    compound of capitalised parts ("Data-Juicer", "Explore-And-Match", but not
    the ordinary "White-Box").
    """
    if word in GENERIC_ACRONYMS:
        return False
    if not _PLAIN_WORD_RE.fullmatch(word):
        return True
    parts = re.split(r"['’-]", word)
    for part in parts:
        if any(c.isupper() for c in part[1:]):
            if len(part) >= 3 or not part.isupper() or not _is_ordinary(part, library_words):
                return True
    if len(parts) > 1 and all(part[:1].isupper() for part in parts if part):
        return not _is_ordinary(word, library_words)
    return False


def _name_words(title: str) -> list[str] | None:
    if ":" not in title:
        return None
    head = _TRAILING_PAREN_RE.sub("", title.split(":", 1)[0]).strip()
    if not head or len(head) > MAX_CHARS:
        return None
    words = head.split()
    return words if len(words) <= MAX_WORDS else None


def _is_name(words: list[str], library_words: frozenset[str] | set[str] = frozenset()) -> bool:
    """One word: spelled like a name or not an ordinary word. Several: one spelled like a name."""
    if len(words) == 1:
        word = words[0]
        return word not in GENERIC_ACRONYMS and (
            _spelled_like_a_name(word, library_words) or not _is_ordinary(word, library_words)
        )
    return any(_spelled_like_a_name(word, library_words) for word in words)


def short_name_of(title: str) -> str | None:
    """The part before the colon in "GaLore: ..." if it is a name, else None.

    Judged from the title alone (the built-in word list); `find_mentions`
    also drops names that the rest of the library writes as ordinary words.
    """
    words = _name_words(title)
    if words is None or not _is_name(words):
        return None
    return " ".join(words)


# Under `mkdocs serve` the library is searched again after every edit; these keep
# the last call's per-text results (for the texts still in the library only), so
# an edit searches only the texts it changed: 2.7 s -> well under 1 at 10,000 papers.
_LOWER_WORDS: dict[str, frozenset[str]] = {}
_PATTERN: tuple[tuple[str, ...], re.Pattern[str] | None] = ((), None)
_MAX_REMOVED = 8  # names removed since the pattern was compiled: past this, compile (each is checked per build)
_FOUND: tuple[re.Pattern[str] | None, dict[str, tuple[tuple[str, int, int], ...]]] = (None, {})
_TITLE_NAMES: dict[str, str] = {}  # title -> its short name, or ""
_JUDGED: dict[tuple[str, frozenset[str]], bool] = {}  # (name, the library's lower-case words of it) -> a name?


def _lower_case_writers(papers: Sequence[Paper], wanted: set[str]) -> dict[str, set[str]]:
    """For each wanted word, the keys of the papers that write it in lower case."""
    global _LOWER_WORDS
    writers: dict[str, set[str]] = defaultdict(set)
    if not wanted:
        return writers
    texts = (text for paper in papers for text in (paper.title, paper.abstract))
    _LOWER_WORDS = words = kept_from_last(texts, lambda text: frozenset(_LOWER_WORD_RE.findall(text)), _LOWER_WORDS)
    for paper in papers:
        for text in (paper.title, paper.abstract):
            for word in wanted.intersection(words[text]):
                writers[word].add(paper.key)
    return writers


def _trie_pattern(names: list[str]) -> str:
    """One regular expression matching any of the names, longest first, as a trie."""
    end = object()
    root: dict = {}
    for name in names:
        node = root
        for char in name:
            node = node.setdefault(char, {})
        node[end] = True

    def emit(node: dict) -> str:
        alternatives = []
        for char in sorted(c for c in node if c is not end):
            piece = r"\s+" if char == " " else re.escape(char)
            alternatives.append(piece + emit(node[char]))
        if not alternatives:
            return ""
        optional = end in node  # a name ends here, longer ones go on: try them first
        if len(alternatives) == 1 and not optional:
            return alternatives[0]
        body = "(?:" + "|".join(alternatives) + ")"
        return body + "?" if optional else body

    return emit(root)


def _compile(names: list[str]) -> re.Pattern[str] | None:
    """The names as whole words at their end; `_matches` checks their start.

    Compiling thousands of names took a second at 10,000 papers, so the last
    pattern is kept, and kept too when names were only removed from it and no
    remaining name could match inside one of them (`_shadows_none`): it then
    finds exactly what the smaller pattern would, and the removed names, which
    link nowhere (`find_mentions` looks each match up), take their text as
    before.
    """
    global _PATTERN
    built_for, pattern = _PATTERN
    if tuple(names) == built_for or (pattern is not None and _shadows_none(built_for, names)):
        return pattern
    pattern = re.compile(rf"(?:{_trie_pattern(names)})(?!{_WORD_CHAR})") if names else None
    _PATTERN = (tuple(names), pattern)
    return pattern


def _shadows_none(built_for: tuple[str, ...], names: list[str]) -> bool:
    """Whether `names` are some of `built_for`, none of them matching where a removed one
    does: starting with it (and shorter), or starting inside it after a non-word character."""
    current = set(names)
    if not names or not current <= set(built_for) or len(built_for) - len(current) > _MAX_REMOVED:
        return False
    for removed in set(built_for) - current:
        for start in range(len(removed)):
            if start and _WORD_CHAR_RE.match(removed, start - 1):
                continue  # a name cannot start here
            tail = removed[start:]
            if any(tail.startswith(name) or (start and name.startswith(tail)) for name in names):
                return False
    return True


def _spans(pattern: re.Pattern[str], abstracts: list[str]) -> dict[str, tuple[tuple[str, int, int], ...]]:
    """Each abstract's matches of `pattern` (text, start, end), reusing the last call's for the same pattern."""
    global _FOUND
    found = kept_from_last(
        abstracts,
        lambda text: tuple((match.group(), match.start(), match.end()) for match in _matches(pattern, text)),
        _FOUND[1] if _FOUND[0] is pattern else {},
    )
    _FOUND = (pattern, found)
    return found


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""What `pattern` would find with a leading `(?<![\w-])`: the names as whole words.

    The look-behind is checked here because a pattern that begins with one
    cannot skip straight to the letters that start a name, which makes the
    search four times slower. A name that starts inside a word is not one:
    the search goes on from the next character, as the look-behind would.
    """
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        start = match.start()
        if start and _WORD_CHAR_RE.match(text, start - 1):
            pos = start + 1
        else:
            yield match
            pos = match.end()


def find_mentions(papers: Sequence[Paper]) -> Mentions:
    """Every short name that an abstract writes, linked to the paper it names.

    `outgoing` and `incoming` have an entry (possibly empty) for every paper.
    A name written several times in one abstract gives one mention per time.
    """
    ordered = sorted(papers, key=lambda p: p.key)
    keys = [paper.key for paper in ordered]
    if len(set(keys)) != len(keys):
        dupes = sorted(key for key, count in Counter(keys).items() if count > 1)
        raise ValueError(f"duplicate paper keys: {', '.join(dupes)}")
    global _TITLE_NAMES, _JUDGED
    _TITLE_NAMES = name_of = kept_from_last((p.title for p in ordered), lambda title: short_name_of(title) or "", _TITLE_NAMES)
    owners: dict[str, list[str]] = defaultdict(list)  # name -> keys of the papers it names
    for paper in ordered:
        if name_of[paper.title]:
            owners[name_of[paper.title]].append(paper.key)
    # Second look with the library's own usage: a word that a paper other than
    # the named one writes in lower case is an ordinary word ("Optima" in
    # "local optima"), however rare in English.
    wanted = {word.lower() for name in owners for word in name.split()}
    writers = _lower_case_writers(ordered, wanted)
    judged = {}
    for name, named in owners.items():
        library_words = frozenset(w.lower() for w in name.split() if writers.get(w.lower(), set()) - set(named))
        judged[name] = (name, library_words)
    _JUDGED = is_name = kept_from_last(judged.values(), lambda judging: _is_name(judging[0].split(), judging[1]), _JUDGED)
    target_of: dict[str, str | None] = {}
    for name, named in owners.items():
        if is_name[judged[name]]:
            # an ambiguous name maps to None: it is matched (so it takes its text) but links nowhere
            target_of[name] = named[0] if len(named) == 1 else None
    pattern = _compile(sorted(target_of))
    outgoing: dict[str, tuple[Mention, ...]] = {}
    incoming: dict[str, set[str]] = {paper.key: set() for paper in ordered}
    spans = _spans(pattern, [paper.abstract for paper in ordered if paper.abstract]) if pattern is not None else {}
    for paper in ordered:
        found = []
        for text, start, end in spans.get(paper.abstract, ()):
            target = target_of.get(" ".join(text.split()))
            if target is None or target == paper.key:
                continue
            found.append(Mention(text, target, start, end))
            incoming[target].add(paper.key)
        outgoing[paper.key] = tuple(found)
    return Mentions(outgoing, {key: tuple(sorted(sources)) for key, sources in incoming.items()})
