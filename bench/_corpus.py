"""Shared helpers for the benchmarks: a fixed set of hand-written comments, paths and the data dir.

The comments below were written for this benchmark (none is copied from a public corpus).
They mix lengths (20 to 600 characters), comments with and without their article, clean
comments, plain swearing, disguised swearing (stars, leetspeak, spacing, look-alike Unicode,
zero-width marks) and innocent words that look like swearing, so timings are not flattered
by an easy mix.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

ARTICLES = {
    "bridge": (
        "Council approves £40m repair plan for the Elm Street bridge",
        "The city council voted 9-4 on Tuesday to fund repairs to the 70-year-old Elm Street bridge, "
        "which has been closed to lorries since March after inspectors found corroded steel in two "
        "spans. Work is due to start in spring and last eighteen months, with a single lane open to "
        "cars and buses. Opposition councillors said the cost had doubled since the first estimate.",
    ),
    "football": (
        "United hold on for a 2-1 win after late red card",
        "Ten-man United held on for a 2-1 win at home on Saturday after captain Reyes was sent off "
        "in the 81st minute for a second yellow card. Okafor scored both goals before half-time; the "
        "visitors pulled one back from a penalty and hit the post in stoppage time.",
    ),
    "school": (
        "School meals to be free for all primary pupils from September",
        "Every primary school pupil in the region will get a free hot lunch from September, the "
        "education authority announced. The scheme will cost about £12m a year and replaces the "
        "means-tested system, which head teachers said left many low-income families out.",
    ),
    "phone": (
        "Review: the new Pixelon 9 has a great camera and a battery that lasts two days",
        "The Pixelon 9 keeps the flat design of last year's model but adds a larger sensor, a "
        "120Hz screen and a 5,000mAh battery. In our tests it lasted just under two days of mixed "
        "use. The price starts at $799, and the charger is no longer in the box.",
    ),
    "storm": (
        "Storm leaves 20,000 homes without power across the county",
        "High winds brought down trees and power lines overnight, leaving about 20,000 homes without "
        "electricity. Engineers expect to restore most supplies by Thursday evening. Two schools are "
        "closed and the coast road is shut between Millbay and Port Ellen.",
    ),
    "recipe": (
        "Five weeknight dinners that take less than 30 minutes",
        "From a lemony chicken traybake to a mushroom and shiitake stir-fry, these recipes use "
        "cupboard staples and a single pan. Each serves four and most freeze well.",
    ),
}

# (comment, article key or None). Keep this list fixed: the published figures depend on it.
COMMENTS: tuple[tuple[str, str | None], ...] = (
    ("Finally. About time.", "bridge"),
    ("Nine to four? Who were the four, and what was their plan, let it fall down?", "bridge"),
    ("I drive over that bridge every day and the potholes alone have cost me two tyres this year.", "bridge"),
    ("The cost doubled because they sat on it for six years. Same story every time: wait until it is an "
     "emergency, then pay whatever the contractor asks. Anyone who has watched this council for more than "
     "a term knows exactly how this goes.", "bridge"),
    ("Oh brilliant, eighteen months of one lane. Can't wait. Really looking forward to it.", "bridge"),
    ("What a load of bullshit, they knew it was rusting in 2015.", "bridge"),
    ("These c0uncill0rs are a bunch of f*cking clowns.", "bridge"),
    ("Does anyone know whether the buses will still stop at Elm Street during the works, or will the 42 "
     "be diverted through the estate? My mum relies on that route to get to the hospital and nobody at "
     "the depot could tell me anything.", "bridge"),
    ("Earn $500 a day from home!!! Click my profile to find out how, no experience needed", "bridge"),
    ("I remember when this bridge opened, my grandfather worked on the steel. It was the pride of the town "
     "back then. Sad to see how it was let go, but glad somebody is finally fixing it properly instead of "
     "patching it again. I hope they keep the old lamp posts, they are part of the character of the street "
     "and the residents' association has asked for them twice already.", "bridge"),
    ("Typical. Absolutely typical.", None),
    ("Reyes is an idiot, that second yellow nearly cost us the game.", "football"),
    ("Okafor is the best striker we have had in twenty years, and it is not close.", "football"),
    ("Referee was a complete wanker from start to finish.", "football"),
    ("Wow, a whole 2-1 at home against the bottom side. Truly a golden era.", "football"),
    ("s h i t performance in the second half, we were hanging on", "football"),
    ("Anyone watching the cricket instead? Much better game today.", "football"),
    ("Hit the post in stoppage time, my heart could not take it. Ten men for the last quarter of an hour "
     "and we still held on. The back four deserve a lot of credit, especially the young lad at left back "
     "who was up against their quickest winger all afternoon and did not give him a yard.", "football"),
    ("Sack the manager. Sack the board. Sack the kit man. Start again.", "football"),
    ("What a sh1tshow of a defence, honestly.", "football"),
    ("Great news for families, this will make a real difference.", "school"),
    ("Who is paying the £12m? Oh right, us. Lovely.", "school"),
    ("My daughter's school already does this and attendance went up. Teachers say kids concentrate better "
     "after lunch, and the parents who were embarrassed to apply for free meals do not have to any more. "
     "It is a good policy whatever you think of the people who brought it in.", "school"),
    ("This is the dumbest f\u200buck\u200bing idea I have ever heard.", "school"),
    ("Can't even get the bins collected on time but sure, free lunches for everyone.", "school"),
    ("I teach a class of thirty and the assessment results improved after the pilot.", "school"),
    ("\uff46\uff55\uff43\uff4b this government", "school"),
    ("Nice phone. $799 and no charger though, come on.", "phone"),
    ("Two days of battery? Mine barely lasts until lunch with the screen at 120Hz.", "phone"),
    ("The camera is good in daylight, but at night it smears everything into watercolour. I compared it "
     "side by side with my old phone at a concert last week and the old one was sharper, which is not what "
     "you expect from a sensor this size. Maybe a software update will fix it.", "phone"),
    ("Whoever designed this camera bump is a dumb\u0430ss.", "phone"),
    ("Is it waterproof? The review does not say.", "phone"),
    ("Pixelon support are useless as tits on a bull, waited 3 weeks for a reply.", "phone"),
    ("Stay safe everyone, check on your elderly neighbours tonight.", "storm"),
    ("Still no power on Harbour Road and it is freezing. Any news from the engineers?", "storm"),
    ("Every single winter the coast road floods and every single winter they act surprised. We have been "
     "asking for a proper sea wall since 2009. Write to your councillor, it is the only thing that "
     "works, and go to the meeting on the 14th if you can.", "storm"),
    ("Tree came down on our car. Insurance company says it is an act of God. Great.", "storm"),
    ("Cheap Ray-Ban sunglasses 90% off, visit my page!!!", "storm"),
    ("Made the shiitake stir-fry tonight, the kids asked for seconds.", "recipe"),
    ("Thirty minutes my a$$, it took me an hour and a half.", "recipe"),
    ("Can I use chickpeas instead of chicken in the traybake?", "recipe"),
    ("I added a splash of soy and some chilli flakes to the traybake and it was lovely. For anyone cooking "
     "for one, halve everything and it keeps for two days in the fridge. Freezing the rice is fine too if "
     "you cool it quickly first, spread out on a tray.", "recipe"),
    ("Cocktail hour is better than any of these recipes.", "recipe"),
    ("Dick Cheney would have loved this bridge deal.", None),
    ("We visited Scunthorpe and Penistone last summer, lovely towns.", None),
    ("First! Nobody else awake yet?", None),
    ("You are all sheep. Wake up.", None),
    ("Go f\u0446ck yourself and your fake news.", None),
    ("Anyone else think the comment section has got worse since they changed the layout? It used to "
     "show the newest first and now it is some algorithm that puts the same five angry people at the "
     "top of every article. I would pay for a version without the comments, honestly.", None),
    ("What a fuuuuuuck is going on with this website, it keeps logging me out", None),
    ("Piss off with your adverts.", None),
    ("This article is a masterpiece of saying nothing at length.", None),
    ("B-i-t-c-h please, nobody believes that.", None),
    ("Thank you for reporting this, local journalism matters.", None),
    ("Does the author even live here? Half the street names are wrong and the photo is of the old "
     "station, which was knocked down years ago. I do not mind mistakes, everyone makes them, but a "
     "quick look at a map would have caught most of this. Please correct the article, people share "
     "these links and the wrong information spreads. Also the headline says 20,000 homes but the text "
     "says 12,000 further down, so which is it? And while you are at it, the council's figures are "
     "on their website, so there is no need to guess.", "storm"),
    ("lmao what a moron this guy is", None),
    ("I was going to say something clever but honestly the comments above have covered it.", None),
    ("Fantastic, another consultation. That will definitely fix everything.", "bridge"),
    ("F.U.C.K. this, I am moving to the countryside.", None),
    ("The assassin in the new series is brilliant, best thing on TV this year.", None),
    ("Shut up you stupid c\u00fcnt", None),
    ("They should name the new bridge after the engineer who first reported the corrosion.", "bridge"),
    ("Bloody hell, 20,000 homes? That is half the county.", "storm"),
    ("Utter cr@p from start to finish.", "football"),
    ("I have been a season ticket holder for twenty-two years and I have never seen a side so short of "
     "ideas with the ball. We scored twice from set pieces, defended for seventy minutes and somehow the "
     "manager talks afterwards about character and control. Control of what? We had thirty-one percent "
     "possession at home. The red card did not help, fine, but we were already sitting deep before it. "
     "If the board think a win like this papers over the last two months they are kidding themselves. "
     "Sort it out before "
     "January or there will be nobody left to sell tickets to.", "football"),
    ("The engineers have been out since five this morning in awful conditions. Whatever you think of the "
     "power company, the crews on the ground deserve thanks, not abuse. If you are still without heating, "
     "the leisure centre on Mill Lane is open as a warm space until ten tonight with hot drinks, phone "
     "charging and a play area for children. Volunteers are also taking food parcels to anyone who cannot "
     "get out; ring the community hall or message their page and someone will come round before dark. "
     "Please pass this on to neighbours who are not online, especially the older people on the terrace.", "storm"),
)


def articles():
    """The fixed articles as `moderation.Article`s, keyed like `ARTICLES`."""
    from moderation import Article

    return {key: Article(title=title, body=body) for key, (title, body) in ARTICLES.items()}


def fixed_comments() -> list[tuple[str, object]]:
    """The fixed comments as (text, Article or None) pairs, ready for `Moderator.score_many`."""
    by_key = articles()
    return [(text, by_key[key] if key else None) for text, key in COMMENTS]


def one_core(cpu: int = 0) -> str:
    """Limit BLAS/OpenMP to one thread and pin to `cpu`, so "one core" is honest; say what happened.

    Call it before anything imports numpy: the thread pools size themselves at that import.
    """
    if "numpy" in sys.modules:
        print("note: numpy was imported before the thread limits were set", file=sys.stderr)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this OS)"
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as error:
        return f"not pinned ({error})"
    return f"pinned to CPU {cpu}"


def add_repo_to_path() -> None:
    """Let `python bench/x.py` import `moderation` and `training` from the repository root."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def resolve_data_dir(given: str | None) -> Path | None:
    """--data-dir, else MODERATION_DATA_DIR, else ../shared/datasets beside the repo; None if absent."""
    candidate = given or os.environ.get("MODERATION_DATA_DIR") or str(REPO.parent / "shared" / "datasets")
    path = Path(candidate).expanduser()
    return path if path.is_dir() else None


def load_model(path: str | None):
    """`Moderator.load(path)`, exiting with a message that says what to do when there is no model."""
    from moderation import ModelLoadError, Moderator

    try:
        return Moderator.load(path)
    except ModelLoadError as error:
        sys.exit(f"cannot load the model: {error}\n(pass --model DIR to benchmark another trained model)")


def write_json(path: str, report: dict) -> None:
    """Write a benchmark's figures as indented JSON (the `--json PATH` option of both scripts)."""
    import json

    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
