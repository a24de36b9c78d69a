"""The profanity word list: better-profanity's list, our additions, and what we take out.

better-profanity's list is broad: it holds identity words ("gay", "queer", "homo"), ordinary
words ("kill", "god", "hell", "pot", "drunk") and names. A word list that flags a group's
name is exactly the failure we must not have, so those are removed here and left to the
trained model, which sees them in context. Everything is compiled once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .normalize import fold_token

__all__ = ["Lexicon", "load_lexicon", "CATEGORIES"]

CATEGORIES = ("strong", "slur", "insult", "sexual", "mild")

# Words from better-profanity's list that are identities, ordinary words or too mild to
# call swearing on their own: the model learns from context instead.
_REMOVED = frozenset("""
gay gays queer queers homo homos lesbian lesbians bisexual transgender trans jew jews muslim
muslims arian aryan asanchez god goddamn kill killer hell drunk pot weed omg wtf stoned
sex sexy sexual breasts breast nude nudes naked kinky bondage busty porn porno pornography
suck sucks sucked sucking screw screwed screwing stupid dumb crap crappy damn damned
butt butts booty pee poop fart farting lust lusting seduce sadist sadism virgin vagina penis
anal anus rectum scrotum testicle testicles hymen ovary ovum urine uterus vulva menstruation
period boob boobs tit tits wang willy fanny knob nob balls ballsack nut nuts dyke drug
hooker hooter hooters jap ugly bum bigtits erect erection horny hot semen sperm spunk
fondle orgasm orgasms orgasim lmao lmfao nazi dong schlong junk ho hoe hoes pervert pimp
gae gai gey ghay ghey homoerotic homoey transsexual lesbian lezbian lezbians hebe gringo pollock
whitey massa slope negro fat organ murder rape raped raper raping rapist heroin hiv hitler napalm
sniper slave uzi valium vodka rum meth opium opiate peyote pcp hemp ganja reefer toke hooch hookah
len revue sandbar seaman seamen yury maxi pawn loin loins xx xxx foobar mams nad nads tinkle toots
tush undies woody whiz wazoo weenie weiner teez teets titi hump humped humping herp herpy herpes
pms vulgar voyeur vixen unwed trashy tramp thug thrust strip stroke steamy snuff sleaze sleazy
sissy shag schizo racy prude prostitute potty pasty pastie paddy nympho nooky nipple nipples nimrod
ninny niggle muther molest milf menses menstruate masochist lusty lube leper lech kondum kondums
junkie junky jerked jerkoff inbred incest heii guido gigolo fisty fingering facial extacy extasy
erotic erotism enlargement dummy dopey doggin dink dinks crotch cowgirl cowgirls cipa bimbo bimbos
beastial bestial bdsm areole wad wench weirdo wedgie womb tampon teste testes testis testee
testical teat pubic pube pubis rectal rectus oral orally penetrate penetration penile penial
phallic phalli perversion playboy pron punky puss quicky raunch reich rump ruski scantily sob
sodom souse soused spac stiffy stripclub threesome urinal viagra vigra whoar yaoi gspot kinbaku
shibari shibary shota futanari kkk klan nazism masterbat* slave vomit skag scroat scrog scrot
scrote scrud shamedame revue flange floozy freex hoar hore hoor hoare hoer hobag homey hussy
kooch kooches kootch kwif labia menses moolie muff nappy nob nobjocky nobjokey organ pinko pissflaps
poon racy sausagequeen smut smutty snatch teabagging tinkle tawdry trashy
""".split())

# Words people swear with that better-profanity lacks, and insults aimed at people.
_STRONG_ADDITIONS = """
fck fcking fcked fcuk fuk fuks fukin fuking fukking phuck phucking phuk fuq fuqing effing
fking fkn fkin feck frick fricking frigging stfu gtfo mf mofo muthafucka motherfucka
shite shyte sheeit sht shat bullsh1t dipshit shithead shitheads shitty shitstain shitshow
fuckwit fuckwits fuckface fuckhead fucktard clusterfuck asshat asshats arsehole arseholes
dickhead dickheads douche douchebag douchebags jackass jackasses dumbass dumbasses smartass
twat twats wanker wankers bollocks bellend bastards bitches bitchy cunts prick pricks
""".split()
_INSULT_ADDITIONS = """
idiot idiots idiotic moron morons moronic imbecile imbeciles cretin cretins halfwit halfwits
nitwit nitwits dimwit dimwits numpty numpties scumbag scumbags scum lowlife lowlifes
degenerate degenerates loser losers clown clowns buffoon buffoons dunce dolt dolts
dumbo dumbos pea-brained brainless retards retarded libtard libtards
""".split()
_SLURS = frozenset("""
nigger niggers nigga niggas nigg3r fag fags faggot faggots chink chinks spic spics kike kikes
wetback wetbacks tranny trannies retard retards gook gooks raghead ragheads towelhead coon
coons paki pakis beaner beaners dyke dykes
""".split())
_MILD = frozenset("""
bloody bugger bollocks arse arses piss pissed pissing bastard bastards crap
""".split())
_SEXUAL_HINTS = ("cum", "jizz", "blowjob", "dildo", "porn", "orgy", "clit", "cock", "dick",
                 "pussy", "boner", "handjob", "rimjob", "whore", "slut", "titty", "twat", "vag")
_INSULT_SET = frozenset(_INSULT_ADDITIONS)

# Stems that are swearing wherever they occur inside a word ("fuckwits", "shitshow"),
# with the innocent words that contain them.
STEMS = ("fuck", "shit", "cunt", "bitch", "asshole", "dickhead", "wank", "nigger", "faggot")
STEM_ALLOWED = frozenset("""
scunthorpe matsushita shitake shiitake mishit mishits shittim cocunt
""".split())

# Words that are also first names or place names: not flagged when written as a name.
NAME_WORDS = frozenset({"dick", "dyke", "willy", "fanny", "johnson", "peter", "rod", "randy", "cox", "hancock", "bush", "butts"})


# Names of groups of people. Never swear words; blinded in the text the model reads (see
# `features.model_text`) so that scores cannot depend on which group a comment names.
IDENTITY_TERMS = frozenset("""
gay gays lesbian lesbians bisexual bisexuals homosexual homosexuals queer queers trans transgender
transgenders nonbinary muslim muslims islam islamic christian christians catholic catholics jew jews
jewish judaism hindu hindus buddhist buddhists sikh sikhs atheist atheists black blacks white whites
asian asians latino latinos latina latinas hispanic hispanics mexican mexicans immigrant immigrants
migrant migrants refugee refugees disabled deaf blind feminist feminists african africans arab arabs
chinese indian indians lgbt lgbtq
""".split())


@dataclass(frozen=True)
class Lexicon:
    """Folded swear words with a category each, ready for whole-token lookup."""

    words: dict[str, str]           # folded word -> category
    by_length: dict[int, tuple[str, ...]]   # for censored tokens like "f**k"
    stems: tuple[str, ...]
    first_parts: frozenset[str]     # "bull" of "bull shit": words that may start a two-word swear
    compounds: frozenset[str]       # words two tokens may spell together ("bull shit"): 6+ letters, not mild

    def category(self, folded: str) -> str | None:
        return self.words.get(folded)


def _category(word: str) -> str:
    if word in _SLURS:
        return "slur"
    if word in _MILD:
        return "mild"
    if word in _INSULT_SET:
        return "insult"
    if any(hint in word for hint in _SEXUAL_HINTS) and not any(s in word for s in ("fuck", "shit")):
        return "sexual"
    return "strong"


def _better_profanity_words() -> list[str]:
    text = resources.files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Build the lexicon once per process (about 1,000 words; milliseconds)."""
    words: dict[str, str] = {}
    sources = _better_profanity_words() + _STRONG_ADDITIONS + _INSULT_ADDITIONS + sorted(_SLURS)
    for raw in sources:
        # Multi-word entries ("bull shit", "blow job") are matched in joined form.
        folded = fold_token("".join(raw.lower().split()))
        if not folded or folded in _REMOVED or raw.lower() in _REMOVED:
            continue
        words[folded] = _category(folded)
    # Plurals the list lacks ("assholes", "wankers"), for swearing, insults and slurs.
    for word, category in list(words.items()):
        if category in ("strong", "insult", "slur") and len(word) >= 4 and not word.endswith("s"):
            words.setdefault(word + "s", category)
    compounds = frozenset(word for word, category in words.items() if len(word) >= 6 and category != "mild")
    by_length: dict[int, list[str]] = {}
    for word in words:
        by_length.setdefault(len(word), []).append(word)
    return Lexicon(
        words=words,
        by_length={length: tuple(sorted(ws)) for length, ws in by_length.items()},
        stems=STEMS,
        first_parts=frozenset(word[:cut] for word in compounds for cut in range(2, len(word) - 1)),
        compounds=compounds,
    )
