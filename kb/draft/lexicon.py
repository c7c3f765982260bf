"""The words the rules look for: titles and the roles they name, organization suffixes,
trigger words of facts. Small tables, one per concept, in both languages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleWord:
    """A title in the text and the ``Role`` it names (an id the KB may already have)."""

    role: str
    en: str
    ko: str


ROLES = {
    "ceo": RoleWord("ceo", "chief executive officer", "최고경영자"),
    "board-chair": RoleWord("board-chair", "chairman of the board", "이사회 의장"),
    "chair": RoleWord("chair", "chairman", "회장"),
    "vice-chair": RoleWord("vice-chair", "vice chairman", "부회장"),
    "president": RoleWord("president", "president", "사장"),
    "vice-president": RoleWord("vice-president", "vice president", "부사장"),
    "cto": RoleWord("cto", "chief technology officer", "최고기술책임자"),
    "cfo": RoleWord("cfo", "chief financial officer", "최고재무책임자"),
    "coo": RoleWord("coo", "chief operating officer", "최고운영책임자"),
    "chief-strategy-officer": RoleWord(
        "chief-strategy-officer", "chief strategy officer", "최고전략책임자"
    ),
    "founder": RoleWord("founder", "founder", "창업자"),
    "board-member": RoleWord("board-member", "board member", "이사"),
    "board-observer": RoleWord("board-observer", "board observer", "이사회 옵서버"),
    "head": RoleWord("head", "head", "총괄"),
    "executive-director": RoleWord("executive-director", "executive director", "상무"),
    "minister": RoleWord("minister", "minister", "장관"),
    "prime-minister": RoleWord("prime-minister", "prime minister", "총리"),
}
KO_TITLES = {
    # longest first when matched; the value is a key of ROLES
    "최고경영자(CEO)": "ceo",
    "최고경영자": "ceo",
    "CEO": "ceo",
    "대표이사": "ceo",
    "대표": "ceo",
    "이사회 의장": "board-chair",
    "의장": "board-chair",
    "부회장": "vice-chair",
    "회장": "chair",
    "부사장": "vice-president",
    "사장": "president",
    "최고기술책임자(CTO)": "cto",
    "최고기술책임자": "cto",
    "CTO": "cto",
    "최고재무책임자(CFO)": "cfo",
    "최고재무책임자": "cfo",
    "CFO": "cfo",
    "최고운영책임자(COO)": "coo",
    "최고운영책임자": "coo",
    "COO": "coo",
    "최고전략책임자(CSO)": "chief-strategy-officer",
    "최고전략책임자": "chief-strategy-officer",
    "창업자": "founder",
    "총괄 대표": "head",
    "총괄": "head",
    "상무": "executive-director",
    "전무": "executive-director",
    "장관": "minister",
    "총리": "prime-minister",
}
EN_TITLES = {
    "board chairman": "board-chair",
    "board chair": "board-chair",
    "chairman of the board": "board-chair",
    "chief executive officer": "ceo",
    "chief executive": "ceo",
    "CEO": "ceo",
    "chairman": "chair",
    "chairwoman": "chair",
    "chair": "chair",
    "vice president": "vice-president",
    "president": "president",
    "chief technology officer": "cto",
    "CTO": "cto",
    "chief financial officer": "cfo",
    "CFO": "cfo",
    "chief operating officer": "coo",
    "COO": "coo",
    "chief strategy officer": "chief-strategy-officer",
    "founder": "founder",
    "head": "head",
    "minister": "minister",
    "prime minister": "prime-minister",
}
KO_SURNAMES = {
    "김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang",
    "조": "Cho", "윤": "Yoon", "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh",
    "서": "Seo", "신": "Shin", "권": "Kwon", "황": "Hwang", "안": "Ahn", "송": "Song",
    "류": "Ryu", "유": "Yoo", "홍": "Hong", "전": "Jeon", "고": "Ko", "문": "Moon",
    "양": "Yang", "손": "Son", "배": "Bae", "백": "Baek", "허": "Heo", "남": "Nam",
    "심": "Shim", "노": "Noh", "하": "Ha", "곽": "Kwak", "성": "Sung", "차": "Cha",
    "주": "Joo", "우": "Woo", "구": "Koo", "민": "Min", "진": "Jin", "나": "Na",
}  # fmt: skip
KO_ORG_SUFFIXES = (
    "클라우드", "코리아", "디지털", "전자", "반도체", "홀딩스", "그룹", "은행", "증권",
    "컴퓨트", "테크", "랩스", "재팬", "소프트", "모빌리티", "에너지", "통신", "정부",
    "부", "처", "청", "위원회", "공사", "재단", "협회", "대학교", "연구원", "펀드",
)  # fmt: skip
EN_ORG_SUFFIXES = (
    "Inc", "Inc.", "Corp", "Corp.", "Corporation", "Co.", "Ltd", "Ltd.", "Group", "Holdings",
    "Cloud", "Compute", "Digital", "Electronics", "Systems", "Labs", "Technologies", "Tech",
    "Bank", "Capital", "Partners", "Ventures", "Networks", "Semiconductor", "Software",
    "AI", "Ministry", "Government", "University", "Institute", "Japan", "Korea",
)  # fmt: skip
EN_NOT_NAMES = frozenset(
    "The A An And But Or Under In On At By For From With After Before As It Its This That "
    "These Those He She They We Our Their His Her Who Which What When Where While Also "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December Series Grace Blackwell South "
    "North East West GPU GPUs NPU NPUs LLM AI Most Read".split()
)
DEMONYMS = {
    "Saudi": "saudi-arabia", "Korean": "south-korea", "South Korean": "south-korea",
    "Japanese": "japan", "Thai": "thailand", "Taiwanese": "taiwan", "American": "united-states",
    "Chinese": "china", "Emirati": "united-arab-emirates", "Vietnamese": "vietnam",
    "Singaporean": "singapore", "Malaysian": "malaysia", "Indonesian": "indonesia",
    "Qatari": "qatar", "Egyptian": "egypt", "Indian": "india", "British": "united-kingdom",
    "French": "france", "German": "germany",
}  # fmt: skip
REGION_ADJECTIVES = {
    "European": "europe", "Asian": "asia", "Southeast Asian": "southeast-asia",
    "Middle Eastern": "middle-east", "African": "africa", "Latin American": "latin-america",
    "North American": "north-america", "East Asian": "east-asia",
}  # fmt: skip
CAPITALS = {
    # the gazetteer's capital cities, for "the Saudi capital" and "사우디 수도"
    "south-korea": "seoul", "taiwan": "taipei", "thailand": "bangkok", "japan": "tokyo",
    "china": "beijing", "saudi-arabia": "riyadh", "united-arab-emirates": "abu-dhabi",
    "united-kingdom": "london", "france": "paris", "germany": "berlin",
}  # fmt: skip

# -- trigger words of facts ---------------------------------------------------------------
MEETING = {
    "ko": ("만나", "만난", "만났", "회동", "미팅", "면담", "회담", "접견", "간담회"),
    "en": ("met ", "meet ", "meets ", "meeting with", "talks with"),
}
AGREEMENT = {
    "ko": ("MOU", "양해각서", "업무 협약", "협약", "계약", "합작법인", "투자 유치", "인수",
           "시리즈"),
    "en": ("memorandum of understanding", "MOU", "agreement", "contract", "deal",
           "joint venture", "Series ", "funding round", "round led by", "acquire",
           "acquisition"),
}  # fmt: skip
AGREEMENT_VERBS = {
    "ko": ("체결", "맺", "설립", "서명", "주도"),
    "en": ("signed", "sign ", "signs", "agreed", "inked", "raised", "struck", "took a"),
}
AGREEMENT_KINDS = {
    # (trigger, kind): the first found in the sentence decides
    "ko": (("합작법인", "joint-venture"), ("인수", "acquisition"), ("투자", "investment"),
           ("공급 계약", "contract"), ("계약", "contract"), ("MOU", "MOU"),
           ("양해각서", "MOU"), ("협약", "MOU")),
    "en": (("joint venture", "joint-venture"), ("acqui", "acquisition"),
           ("Series ", "investment"), ("funding", "investment"), ("round led by", "investment"),
           ("stake", "investment"),
           ("contract", "contract"), ("memorandum", "MOU"), ("MOU", "MOU"),
           ("agreement", "MOU"), ("deal", "MOU")),
}  # fmt: skip
EXPANSION = {
    "ko": ("진출", "확장", "확대", "공략", "넓히", "넓혀", "넓힐", "넓힌", "늘려", "늘릴",
           "사무소를 열", "연구소를 열",
           "연구센터를 열", "데이터센터를 열", "지사를 열", "법인을 열", "공장을 열",
           "사무소를 세", "연구소를 세", "데이터센터를 세", "공장을 세"),
    "en": ("expand into", "expand to", "expansion into", "entry into", "push into", "enter ",
           "enters ", "entering ",
           "open a ", "open an ", "open the ", "opens ", "move into", "launch in"),
}  # fmt: skip
COOPERATION = {
    "ko": ("협력", "제휴", "파트너십", "손잡", "손을 잡"),
    "en": ("partnership", "partner with", "working with", "work with", "worked with",
           "works with", "team up", "teamed up", "cooperat", "collaborat", "supplies ",
           "buys ", "shared ", "jointly"),
}  # fmt: skip
KINSHIP = {
    "ko": {"외사촌": "cousin (maternal)", "사촌": "cousin", "조카": "nephew", "아들": "son",
           "딸": "daughter", "형제": "brother", "동생": "younger sibling", "부인": "wife",
           "남편": "husband", "아버지": "father", "어머니": "mother"},
    "en": {"nephew": "nephew", "niece": "niece", "cousin": "cousin", "son": "son",
           "daughter": "daughter", "brother": "brother", "sister": "sister",
           "wife": "wife", "husband": "husband"},
}  # fmt: skip
PLANNED = {
    "ko": ("계획", "예정", "방침", "추진", "할 것", "하기로", "전망", "나선다", "진출한다"),
    "en": ("plan", "will ", "aims", "intends", "to open", "due to", "next year"),
}
UNDERWAY = {
    "ko": ("진행 중", "진행중", "하고 있", "넓히고 있", "중이다"),
    "en": ("is expanding", "already", "has been"),
}
GROUP_WORDS = {
    # words that stand for the parties of the previous fact or sentence
    "ko": ("양사", "양측", "두 회사", "두 사람", "이들", "양국"),
    "en": ("the two companies", "the two firms", "the companies", "the firms", "both companies",
           "the pair", "the two men", "the two women", "the two", "they met", "they discussed"),
}  # fmt: skip
