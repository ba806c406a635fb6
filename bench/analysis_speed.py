#!/usr/bin/env python3
"""Messages per second for the whole analysis (normalise, indicators, stages, risk) of long chats.

Generates long synthetic conversations (sextortion and ordinary chat lines, with handles, numbers,
addresses and amounts), analyses them on one core, and times iocsearcher's extraction of the same
messages in the same run as the anchor. Goal: >= 5,000 messages/s. Times are CPU seconds of this
process (time.process_time), so that other work on a shared machine does not count.

usage: bench/analysis_speed.py [--messages 20000] [--chats 4] [--full]
"""

from __future__ import annotations

import argparse
import os
import random
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from sxr.analysis import analyze
from sxr.conversations.model import Conversation, Message, SourceRef

OFFENDER_LINES = [
    "heyy saw u on quick add 😊 ur so cute",
    "we have mutuals, do u go to Kingsmead?",
    "insta keeps glitching, add me on snap: lily_x{n:02d}",
    "can we talk on whatsapp? 07700 900{n:03d}",
    "send me a pic, u go first 🙈",
    "wanna video call? my cam is broken tho",
    "I recorded everything. I have your followers list and your family",
    "pay £{n}00 in Google Play cards or I send it to everyone",
    "Bank transfer to IBAN GB82 WEST 1234 5698 7654 32",
    "sort code 20-29-59 account 63748472, reference loan",
    "send to bc1qp8uq56ytg0j78mxd6snha2xc46l4lae48rk7n6 by midnight",
    "USDT TRC20 only: TRjMxzhCPMFE2o74Xzsf4dSqkS4PtugQMf",
    "Western Union, receiver name A. Bello. send the MTCN",
    "now my boss wants another £{n}00 or your wife sees it",
    "if this account gets banned add my backup @mila_x{n:02d}",
    "paypal.me/jkservices{n} £250 now",
    "received ✅ good boy",
]
VICTIM_LINES = [
    "haha thanks",
    "who is this?",
    "idk",
    "please don't do this",
    "I don't have that kind of money",
    "sent. MTCN 148 291 5330",
    "the code is 7QHM K2VX PL9R 4TNB W8ZC",
    "done. £{n}0 sent",
    "i can't live with this anymore",
    "what do you mean",
    "ok",
    "I'm going to the police",
]
FRIEND_LINES = [
    "are you coming to practice today?",
    "lol yes",
    "my new insta is @ava.mrtnz{n}",
    "8 works 👍",
    "did u finish the history essay",
    "meet at 10:30 at the station?",
    "Sent £{n}, reference BIKE",
    "here's the card: K4PZ9-QW7RM-2XT8N",
    "call me on 07700 900{n:03d} when you're out",
]


def make_chat(n_messages: int, seed: int) -> Conversation:
    rng = random.Random(seed)
    source = SourceRef(file="bench.txt", sha256="0" * 64)
    messages = []
    for i in range(n_messages):
        who = rng.random()
        if who < 0.4:
            sender, pool = "Offender", OFFENDER_LINES
        elif who < 0.7:
            sender, pool = "Victim", VICTIM_LINES
        else:
            sender, pool = "Friend", FRIEND_LINES
        text = rng.choice(pool).format(n=rng.randrange(1, 99))
        messages.append(Message(i=i, sender=sender, text=text, source=source))
    return Conversation(format="whatsapp", messages=messages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=20_000, help="messages per chat")
    parser.add_argument("--chats", type=int, default=4)
    parser.add_argument("--full", action="store_true", help="the issue's size: 10 chats of 50,000 messages")
    args = parser.parse_args()
    if args.full:
        args.messages, args.chats = 50_000, 10
    chats = [make_chat(args.messages, seed) for seed in range(args.chats)]
    total = sum(len(c.messages) for c in chats)
    analyze(make_chat(200, 99))  # load lexicons and compile patterns before timing

    start = time.process_time()
    found = 0
    for chat in chats:
        found += len(analyze(chat).indicators)
    ours = time.process_time() - start

    anchor_rate = None
    try:
        from iocsearcher.searcher import Searcher

        searcher = Searcher()
        start = time.process_time()
        for chat in chats:
            for message in chat.messages:
                searcher.search_data(message.text)
        anchor = time.process_time() - start
        anchor_rate = total / anchor
    except ImportError:
        pass

    rate = total / ours
    print(f"{'tool':38} {'messages':>10} {'seconds':>9} {'messages/s':>11}")
    print(f"{'sxr analyze (whole analysis)':38} {total:>10} {ours:>9.2f} {rate:>11.0f}")
    if anchor_rate is not None:
        label = "iocsearcher search_data (indicators only)"
        print(f"{label:38} {total:>10} {total / anchor_rate:>9.2f} {anchor_rate:>11.0f}")
        print(f"ratio sxr / iocsearcher: {rate / anchor_rate:.2f}x")
    else:
        print("iocsearcher is not installed (pip install -e '.[bench]'): no anchor")
    print(
        f"goal >= 5,000 messages/s: {'met' if rate >= 5000 else 'NOT met'}; distinct indicators found {found}"
    )


if __name__ == "__main__":
    main()
