"""Every point of the police advice (issue 2), as phrases a plan's text must contain."""

from __future__ import annotations

import re

# point -> patterns that must all appear (case-insensitive) in the plan's text.
EVERY_PLAN = {
    "report to the police on 101": [r"\bon 101\b"],
    "999 in an emergency": [r"in an emergency, call 999"],
    "they take it seriously": [r"take this seriously"],
    "they deal with it in confidence": [r"in confidence"],
    "they don't judge": [r"will not judge you"],
    "don't panic": [r"don't panic"],
    "stop all contact": [r"stop all contact"],
    "don't delete anything": [r"do not delete anything"],
    "screenshot every conversation": [r"screenshot of every chat"],
    # Issue 17: only the apps the person chose are named, so "Facebook" is no longer in every plan.
    "deactivate the account, don't delete it": [r"deactivate", r"do not delete it"],
    "deleting destroys evidence, deactivating can be undone": [r"deleting wipes out proof", r"can be undone"],
    "report the account and the content to the platform": [r"report their account and what they posted"],
    "ask for the video to be blocked": [r"block the pictures or video"],
    "set an alert in case it resurfaces": [r"set an alert"],
    "watch every linked account": [r"check every other account"],
    "don't pay": [r"do not pay"],
    "paying leads to more demands": [r"ask for more"],
    "images may be posted anyway": [r"post the pictures anyway"],
    "evidence: the offender's IDs": [r"skype ids?", r"profile links", r"usernames", r"phone numbers"],
    # Issue 17: MTCN and wallet addresses are named (and explained) only for those who paid that way.
    "evidence: payment references": [r"gift card codes", r"bank details"],
    "evidence: the photos and videos they sent": [r"photos and videos they sent"],
    "never delete correspondence": [r"never delete the chats"],
    "support: Samaritans": [r"samaritans", r"116 123"],
    "support: PAPYRUS HOPELINE247": [r"papyrus hopeline247", r"0800 068 4141"],
    "support: Victim Support": [r"victim support"],
    "support: Get Safe Online": [r"get safe online"],
    "support: Thinkuknow": [r"thinkuknow"],
    "safe next time: cautious with online contacts": [r"careful with people you meet online"],
    "safe next time: no personal details": [r"personal details"],
    "safe next time: wary of moving the chat to another platform": [r"move the chat to another app"],
}

IF_PAID = {
    "check whether the money was collected": [r"money has been collected"],
    "note where it was collected": [r"if it has been collected, ask where"],
    "cancel as soon as you can if it wasn't": [
        r"if it has not been collected, cancel the payment as soon as you can"
    ],
}

# Issue 17 dropped "contact your internet service provider": it does not help a victim of sextortion.
IF_PAID_BY = {
    "money-transfer": {"evidence: MTCN": [r"mtcn", r"western union", r"moneygram"]},
    "crypto": {"evidence: wallet address": [r"wallet address"]},
}

CHILD = {
    "talk to an adult you trust": [r"adult you trust"],
    "Childline": [r"childline", r"0800 1111"],
    "Report Remove": [r"report remove"],
    "CEOP": [r"ceop"],
}

ADULT = {
    "Revenge Porn Helpline": [r"revenge porn helpline"],
    "StopNCII": [r"stopncii"],
}


def missing_points(text: str, points: dict[str, list[str]]) -> list[str]:
    """The points of `points` that `text` does not make (a pattern of theirs is absent)."""
    lowered = text.lower().replace("’", "'")
    return [point for point, patterns in points.items() if not all(re.search(p, lowered) for p in patterns)]
