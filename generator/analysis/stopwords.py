"""English stop words, kept here so that the build need not import scikit-learn (about a second)."""

# scikit-learn's ENGLISH_STOP_WORDS (sklearn/feature_extraction/_stop_words.py, BSD-3-Clause), word for word.
ENGLISH_STOP_WORDS = frozenset(
    """
    a about above across after afterwards again against all almost alone along already
    also although always am among amongst amoungst amount an and another any anyhow
    anyone anything anyway anywhere are around as at back be became because become
    becomes becoming been before beforehand behind being below beside besides between
    beyond bill both bottom but by call can cannot cant co con could couldnt cry de
    describe detail do done down due during each eg eight either eleven else elsewhere
    empty enough etc even ever every everyone everything everywhere except few fifteen
    fifty fill find fire first five for former formerly forty found four from front full
    further get give go had has hasnt have he hence her here hereafter hereby herein
    hereupon hers herself him himself his how however hundred i ie if in inc indeed
    interest into is it its itself keep last latter latterly least less ltd made many
    may me meanwhile might mill mine more moreover most mostly move much must my myself
    name namely neither never nevertheless next nine no nobody none noone nor not
    nothing now nowhere of off often on once one only onto or other others otherwise our
    ours ourselves out over own part per perhaps please put rather re same see seem
    seemed seeming seems serious several she should show side since sincere six sixty so
    some somehow someone something sometime sometimes somewhere still such system take
    ten than that the their them themselves then thence there thereafter thereby
    therefore therein thereupon these they thick thin third this those though three
    through throughout thru thus to together too top toward towards twelve twenty two un
    under until up upon us very via was we well were what whatever when whence whenever
    where whereafter whereas whereby wherein whereupon wherever whether which while
    whither who whoever whole whom whose why will with within without would yet you your
    yours yourself yourselves
    """.split()
)

# Words that nearly every abstract in this field uses; they only add noise to
# similarity and to the explanation ("large language", "language models").
# Domain words ("training", "memory", "attention", "data") are kept: they matter.
RESEARCH_STOP_WORDS = frozenset(
    """
    model models modeling modelling large language llm llms lm lms paper papers
    propose proposed proposes proposing present presents presented introduce
    introduces introduced introducing approach approaches method methods
    result results show shows shown showing demonstrate demonstrates demonstrated
    achieve achieves achieved achieving performance performances existing novel
    new work works study studies studied use uses used using based significant
    significantly furthermore moreover however additionally specifically
    respectively et al code available github https http www com org various
    compared compare comparable state-of-the-art sota effective effectively
    improve improves improved improving improvement improvements including
    recent recently key task tasks experiment experiments experimental extensive
    conduct conducted evaluate evaluated find findings
    finding paradigm framework frameworks outperforms outperform outperforming
    address addresses challenge challenges problem problems issue issues
    abstract release released open-source publicly
    need needs simple complex different provide provides potential better like
    current critical remains enables enable offer offers reveal reveals
    reduce reduces reduced reducing high higher low lower
    """.split()
)

# Ordinary words of research writing that say nothing about what a paper is
# about when they stand alone: kinds of paper ("survey", "review"), praise and
# size ("extreme", "universal", "comprehensive"), and the verbs and nouns of
# any method section ("handling", "conditions", "choose"). They still count
# inside a phrase ("active learning", "extreme multi-label"), but a related
# link never rests on them alone (generator/analysis/evidence.py).
GENERIC_WORDS = frozenset(
    """
    ability abilities accuracy accurate accurately action actions active actual actually adapt adaptive
    adopt adopted advance advanced advances advancing advantage advantages aim aims allow allows analysis
    analyze analyzing apply applied applying application applications area areas aspect aspects assess
    attempt available average awareness balance base baseline baselines basic behavior behaviors benefit
    benefits best big bring brings broad build building capable capture captures case cases certain
    change changes characteristics choice choices choose class classes clear close closer collect collected
    combination combine combined combining common commonly community competitive complete component components
    comprehensive concept concepts condition conditions consider considered consistent consistently
    constrained construct context contexts contribution contributions control conventional core correct cost
    costs create created creating crucial current data-driven deal decrease deep deeper degree demand
    demonstrating depend depends design designed designs detailed determine develop developed developing
    development difficult difficulty dimension direct directly discuss discussed discussion diverse domain
    domains drive driven dynamic dynamics early easy effect effects effectiveness efficacy efficiency efficient
    efficiently effort efforts element elements emerging empirical empirically employ enhance enhanced enhances
    enhancing ensure entire environment environments equal especially essential establish evaluation evidence
    evolution example examples examine excellent exceptional exhibit exhibits expensive experience explore
    explored exploring extend extended extending extensive extent extreme face facilitate factor factors fail
    fails family fast faster feature features field fields final finally flexible focus focused focuses form
    formal forms foundation fundamental future gain gains general generally generalist give given goal goals
    good great ground growing guidance guide handle handling hard help helps hidden highly huge human humans
    idea ideas identify illustrate impact impacts implement implementation implemented important importance
    impressive include includes increase increased increases increasing independent individual influence
    information insight insights instance instead interest interesting investigate investigated involve
    issue knowledge lack lead leading leads learn learned learning least length level levels leverage
    leveraging life light limit limitation limitations limited limits line literature little local long
    longer loops main mainly maintain maintaining major make makes making manner maps matter matters meaning
    measure measures mechanism mechanisms modern multiple narrow natural nature nearly necessary negative neural
    notable notably number numbers numerous observe observed obtain obtained open operations opportunities
    optimal order ordinary original outcome outcomes output outputs overall overview paradigm parallel part
    particular particularly path pattern patterns perform performed performing perspective phase phenomenon
    platform platforms play point points popular popularity positive possible power powerful practical
    practice practices precise predict prediction predictions preliminary presence primary principle
    principles prior process processes produce product production progress promising properties property
    prove purpose quality question questions quick quickly range rapid rapidly rate rates real real-world
    reason reasons recent related relationship relative relevant reliable remarkable report reported
    represent representation require required requirement requirements requires research researchers resource
    resources response responses rest review reviews rich rise robust role roles rule rules scalable scale
    scales scenario scenarios science scientific scope search second select selected sense series serve
    service set setting settings share shared short signal significance similar simulate single situation
    size sizes skill skills small smaller solution solutions solve source sources space special specific
    speed stage stages standard step steps strategies strategy strength strong structure structures study
    subsequent substantial success successful successfully suggest suitable summary superior support survey
    surveys systematic target targets technical technique techniques technology terms test tested theoretical
    theory thorough time times tool tools total towards traditional trained trend trends true type types
    typical typically understand understanding unified unique universal unknown usage useful user users
    utility utilize valuable value values variety vast view widely wide world
    cutting-edge showcase showcases years year taxonomy in-depth comparison comparisons employing employs
    contrast following assess assessing orders dominant fixed billion billions million millions trillion
    unleash unleashing unleashed pre post non multi co sub semi self inter intra bi re de un
    rely relies relying brings bringing aspects consequently thereby whilst notion regard regarding
    respect hand cover covers covering overcome overcoming remain remaining obvious potentially primarily
    efficiently readily largely greatly strongly deeply easily briefly
    ai nlp delve delves underscoring underscores highlighting highlights emphasize emphasizing
    """.split()
)
