#!/usr/bin/env python3
# ruff: noqa: E501  (conversations are data: one message a line)
"""Write the unseen batches: each case's export as the platform writes it, and its labels.json.

Conversations written from public advisories on financially motivated sextortion (NCA, FBI, NCMEC:
fake profile, fast flattery, pictures within minutes, a move to Snapchat/Instagram/WhatsApp, a video
call, a screenshot of followers, a threat, a demand by gift card, PayPal, Cash App, crypto or bank
transfer, escalation) and hard negatives, without reading sxr's rules. Each batch was written, labelled,
committed and scored (its `first_seen.json`) before any change to the analysis was made for it.
The exports are rendered by the held-out corpus's writers (../heldout/make_corpus.py).

Run: python tests/analysis/unseen/make_batches.py (rewrites the case folders of every batch).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "heldout"))

import make_corpus as mc  # noqa: E402  (the held-out corpus's export writers)

ENC = mc.ENC_NOTICE
BATCHES: dict[str, list[dict[str, Any]]] = {}


def case(batch: str, **kw: Any) -> None:
    BATCHES.setdefault(batch, []).append(kw)


# =============================================================================================
# Batch 6
# =============================================================================================

# Fake girl found on Instagram, now on WhatsApp; UK; sort code and account on two lines; paid, re-demand.
case(
    "b06",
    id="b06-wa-gb-01",
    fmt="wa_android_gb",
    victim="Josh",
    offender="+44 7700 900412",
    other_raw="\u202a+44 7700 900412\u202c",
    start="2026-10-02 22:10",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "hiya is this josh? got ur number off ur insta bio x", ["contact"]),
        ("V", "yeah who's this"),
        ("O", "its amelia! we follow each other, ur proper good looking btw 😍", ["flattery"]),
        ("V", "haha thanks"),
        ("O", "u got any more pics? just of u, i'll send some of me", ["image_request"]),
        ("V", "<Media omitted>"),
        ("O", "mm cheeky. can we facetime? i wanna see u properly", ["image_request"]),
        ("V", "ok give me 5 mins"),
        ("O", "<Media omitted>"),
        ("O", "thats a screenshot of all ur followers and ur mum's fb. i recorded the call", ["threat"]),
        ("O", "send £350 or i post it everywhere tonight", ["threat", "demand"]),
        ("V", "please i'm 16 i don't have that"),
        ("O", "sort code 40-47-84\nacc 31926819\nname D Okoro. 30 mins", ["demand"]),
        ("V", "i sent 100 its all i have", ["payment"]),
        (
            "O",
            "seen. now the other 250 by midnight or it goes to ur sixth form",
            ["payment", "demand", "threat"],
        ),
        ("V", "i can't"),
    ],
    indicators=[
        ("uk_bank_account", "404784-31926819", 12),
        ("amount", "GBP:350", 10),
        ("amount", "GBP:100", 13),
        ("amount", "GBP:250", 14),
    ],
)

# US, Instagram DM; move to snap in words; comes back on IG to threaten; Cash App.
case(
    "b06",
    id="b06-ig-01",
    fmt="instagram",
    victim="mason.r.07",
    offender="kayla 🤍",
    start="2026-08-14 20:31",
    owner="mason.r.07",
    tz=-6,
    sextortion=True,
    msgs=[
        ("O", "omg hiii ur friends w my cousin i think?", ["contact"]),
        ("V", "maybe lol whats his name"),
        ("O", "doesnt matter haha ur literally so hot tho", ["flattery"]),
        ("V", "lol thx"),
        ("O", "i'm never on here, my snap is kaylaa_xo22 add me", ["platform_move"]),
        ("V", "ok added u"),
        ("O", "u ignored my snap?? send me something cute first 😘", ["image_request"]),
        ("V", "i did send"),
        (
            "O",
            "ok listen. i have ur pic and i have a list of everyone who follows u. ur mom, ur coach, everyone",
            ["threat"],
        ),
        ("O", "$400 on cashapp to $kaylapayz22 in 1 hour or they all get it", ["threat", "demand"]),
        ("V", "i only have like 60 bucks"),
        ("O", "send the 60 now then", ["demand"]),
        ("V", "sent", ["payment"]),
        (
            "O",
            "ok i got it. now 200 more by tomorrow or i post",
            ["payment", "demand", "escalation", "threat"],
        ),
    ],
    indicators=[
        ("snapchat_username", "kaylaa_xo22", 4),
        ("cashapp_cashtag", "kaylapayz22", 9),
        ("amount", "USD:400", 9),
        ("amount", "USD:60", 10),
    ],
)

# Snapchat, Nigerian-English-flavoured offender, gift cards, victim refuses, talks of ending it.
case(
    "b06",
    id="b06-snap-01",
    fmt="snapchat",
    victim="liamh2009",
    offender="sophia.ngr",
    start="2026-06-20 21:02",
    sextortion=True,
    msgs=[
        ("O", "hello dear how are you doing today", ["contact"]),
        ("V", "good who r u"),
        ("O", "i saw you on quick add, you are very handsome my dear 🥰", ["flattery"]),
        ("V", "thanks"),
        ("O", "please snap me your body let me see, i will show you mine", ["image_request"]),
        ("V", ""),
        (
            "O",
            "i have screenshot it. i have your followers list complete. you will pay me now",
            ["threat", "demand"],
        ),
        (
            "O",
            "buy me Apple gift card $250 and send me the code, if not i will send it to everybody",
            ["threat", "demand"],
        ),
        ("V", "please dont i dont have money"),
        ("O", "you think i am joking? i go ruin your life", ["threat"]),
        ("V", "i just want to die honestly", ["self_harm"]),
    ],
    indicators=[("amount", "USD:250", 7)],
)

# Telegram, Indian-English-flavoured, video call recorded, USDT on Ethereum, threat to upload.
case(
    "b06",
    id="b06-tg-01",
    fmt="telegram",
    victim="Arjun",
    offender="Riya Sharma",
    start="2026-09-09 23:40",
    tz=5,
    sextortion=True,
    msgs=[
        (
            "O",
            "Hi dear, I got your id from a group. You are looking very smart in your dp",
            ["contact", "flattery"],
        ),
        ("V", "hi thank you"),
        ("O", "Shall we do video call? I am alone in my room only", ["image_request"]),
        ("V", "ok"),
        ("*", ""),
        (
            "O",
            "Your full video is recorded. I will upload on youtube and send to all your contacts and relatives",
            ["threat"],
        ),
        ("O", f"Pay 25000 rupees in USDT to {mc.ETH_MIXED} within 2 hours", ["demand"]),
        ("V", "please madam I am student, I will give 5000 only"),
        ("O", "Ok send 5000 first then remaining, do the needful fast", ["demand"]),
        ("V", "done sir, sent", ["payment"]),
        (
            "O",
            "Received. Now 15000 more otherwise video is going viral",
            ["payment", "demand", "escalation", "threat"],
        ),
    ],
    indicators=[("eth_address", mc.ETH_MIXED.lower(), 5), ("amount", "INR:25000", 5)],
)

# Discord gamer, "add me on sc -", Steam gift card codes.
case(
    "b06",
    id="b06-discord-01",
    fmt="discord",
    victim="ryzen_kid",
    offender="jess.plays",
    start="2026-05-11 19:45",
    sextortion=True,
    msgs=[
        ("O", "hey gg earlier, ur actually cracked at this", ["contact", "flattery"]),
        ("V", "ty ur not bad either"),
        ("O", "ur voice is cute too ngl 😳", ["flattery"]),
        ("V", "lmao"),
        ("O", "add me on sc - jessx.4u , i dont like talking on here", ["platform_move"]),
        ("V", "added"),
        ("O", "so u gonna send me that pic or not", ["image_request"]),
        ("V", "ok fine"),
        (
            "O",
            "haha got u. i have ur discord friends and ur server. everyone sees it unless u pay",
            ["threat", "demand"],
        ),
        ("O", "2 steam cards 50 dollars each. send codes here", ["demand"]),
        ("V", "XK4TR-99QPL-MNB7Z", ["payment"]),
        ("O", "one more. or i post in the server rn", ["demand", "escalation", "threat"]),
    ],
    indicators=[
        ("snapchat_username", "jessx.4u", 4),
        ("gift_card", "steam:XK4TR99QPLMNB7Z", 10),
        ("amount", "USD:50", 9),
    ],
)

# Pasted text from an unknown number, threat first, PayPal e-mail obfuscated, victim refuses.
case(
    "b06",
    id="b06-plain-01",
    fmt="plain",
    victim="Me",
    offender="Unknown",
    header="texts i got last night, copied 04/11/2026",
    start="2026-11-03 23:00",
    sextortion=True,
    msgs=[
        (
            "O",
            "I have the video of you from the call. I've got your family's names and your work.",
            ["threat"],
        ),
        ("O", "£500 via PayPal to harry.cole88 [at] example [dot] com by 10am", ["demand"]),
        ("V", "I'm not paying you anything"),
        ("O", "Fine. Your boss is first. Then your wife.", ["threat"]),
        ("V", "I've reported this to the police"),
        ("O", "Last chance. 300 and it's deleted", ["demand"]),
    ],
    indicators=[("email", "harry.cole88@example.com", 1), ("amount", "GBP:500", 1)],
)

# Messenger, fake young man targets a girl for more images (no money).
case(
    "b06",
    id="b06-msgr-01",
    fmt="messenger",
    victim="Chloe Harper",
    offender="Jayden Miles",
    start="2026-07-07 16:05",
    owner="chloeharper",
    tz=0,
    sextortion=True,
    msgs=[
        ("O", "hey chloe we've got loads of mutuals, u go to st marys right?", ["contact"]),
        ("V", "yeah do i know u"),
        ("O", "not yet 😉 ur gorgeous tho seriously", ["flattery"]),
        ("V", "aw thanks"),
        ("O", "whats ur whatsapp easier to chat there", ["platform_move"]),
        ("V", "i'd rather stay here"),
        ("O", "ok send me a pic of u now, just for me", ["image_request"]),
        ("V", "[photo]"),
        (
            "O",
            "now a proper one or i send this one to ur form group and say u sent more",
            ["image_request", "threat"],
        ),
        ("V", "stop please"),
        ("O", "u have 10 minutes", ["threat"]),
    ],
    indicators=[],
)

# Spam e-mail, "I recorded you", bitcoin.
case(
    "b06",
    id="b06-email-01",
    fmt="email",
    victim="d.walsh@example.com",
    offender="Support Team",
    from_addr="support.4471@example.net",
    subject="Your account has been hacked - read now",
    start="2026-10-20 06:12",
    sextortion=True,
    body=(
        "Hello,\n\nI have access to your device and I recorded you through your camera while you watched adult sites. "
        "I also have your contact list, your family and colleagues.\n\nSend $1200 in Bitcoin to this address:\n"
        f"{mc.BTC_BECH32}\n\nYou have 48 hours. If I don't get the payment, every contact receives the video. "
        "Do not reply, this mailbox is not monitored."
    ),
    body_stages=["threat", "demand"],
    indicators=[("btc_address", mc.BTC_BECH32, 0), ("amount", "USD:1200", 0)],
)

# Skype, older man, video call recorded, Western Union.
case(
    "b06",
    id="b06-skype-01",
    fmt="skype",
    victim="Graham Price",
    offender="Natalia",
    owner_id="live:graham.price.58",
    start="2026-04-02 21:30",
    sextortion=True,
    msgs=[
        ("O", "Hello Graham, I saw your profile and I liked your smile", ["contact", "flattery"]),
        ("V", "Hello Natalia, that's kind"),
        (
            "O",
            "You are very handsome man for your age. Can we have video chat tonight?",
            ["flattery", "image_request"],
        ),
        ("V", "Maybe, I'm not very good with cameras"),
        ("*", ""),
        (
            "O",
            "I recorded our call. Look at this list, it is your wife, your daughter and your church friends",
            ["threat"],
        ),
        ("O", "Send 2000 euro by Western Union to Lagos, name Ikenna Obi, and give me the MTCN", ["demand"]),
        ("V", "I've sent 500, MTCN 4829105736", ["payment"]),
        (
            "O",
            "Not enough. 1500 more tomorrow or your wife sees everything",
            ["demand", "escalation", "threat"],
        ),
    ],
    indicators=[("wu_mtcn", "4829105736", 6), ("amount", "EUR:2000", 5)],
)

# ---- hard negatives ----

# Couple, US WhatsApp: pics of the dog, a joke about posting a photo, FaceTime.
case(
    "b06",
    id="b06-wa-us-h01",
    fmt="wa_android_us",
    victim="Ashley",
    offender=None,
    other="Ryan ❤️",
    other_raw="Ryan ❤️",
    start="2026-03-14 18:20",
    sextortion=False,
    msgs=[
        ("O", "hey babe how was work"),
        ("V", "long. send me a pic of biscuit pls i need it"),
        ("O", "<Media omitted>"),
        ("V", "omg his little face"),
        ("O", "u looked so cute this morning btw"),
        ("V", "stoppp"),
        ("O", "if u dont come to my moms sunday i'm posting that pic of u asleep with ur mouth open lol"),
        ("V", "u wouldn't dare 😂"),
        ("O", "facetime later?"),
        ("V", "yes call me at 9"),
    ],
    indicators=[],
)

# Friends' banter on Discord that sounds threatening.
case(
    "b06",
    id="b06-discord-h01",
    fmt="discord",
    victim="toastyy",
    offender=None,
    other="mikey_b",
    start="2026-02-08 22:00",
    sextortion=False,
    msgs=[
        ("O", "bro u still owe me 20 quid for the pizza"),
        ("V", "i'll pay u friday"),
        ("O", "pay up or i'm leaking ur search history to the whole server 💀"),
        ("V", "do it coward"),
        ("O", "i have screenshots of u crying at the fifa game"),
        ("V", "lmaooo ok ok"),
        ("O", "add me on snap btw, new acc: mikeyb.2"),
        ("V", "added"),
    ],
    indicators=[("snapchat_username", "mikeyb.2", 6), ("amount", "GBP:20", 0)],
)

# Crypto investment scam (not sextortion), Telegram.
case(
    "b06",
    id="b06-tg-h01",
    fmt="telegram",
    victim="Dan",
    offender=None,
    other="Crypto Mentor Anna",
    start="2026-01-19 10:00",
    sextortion=False,
    msgs=[
        ("O", "Hello, I'm Anna, a licensed trading mentor. Are you interested in earning passive income?"),
        ("V", "what kind of income"),
        ("O", "Our members make 300% in 7 days. Minimum deposit is $500"),
        ("V", "sounds too good to be true"),
        ("O", f"Send 0.01 BTC to {mc.BTC_BECH32_2} and you will see the profit tomorrow"),
        ("V", "no thanks, blocking you"),
    ],
    indicators=[("btc_address", mc.BTC_BECH32_2, 4), ("amount", "USD:500", 2)],
)

# Marketplace sale: the seller gives s/c and acc no.
case(
    "b06",
    id="b06-plain-h01",
    fmt="plain",
    victim="Me",
    offender=None,
    other="Seller",
    header="facebook marketplace chat about the bike, copied",
    start="2026-05-30 12:00",
    sextortion=False,
    msgs=[
        ("V", "Hi is the bike still available?"),
        ("O", "Yes mate, £180 and it's yours"),
        ("V", "Can I pay by transfer and collect Saturday?"),
        ("O", "Sure, s/c 20-32-53 acc no 71552364, name P Walsh"),
        ("V", "Sent, see you Saturday"),
        ("O", "Got it thanks"),
    ],
    indicators=[("uk_bank_account", "203253-71552364", 3), ("amount", "GBP:180", 1)],
)

# Photographer booking on Instagram: a stranger, compliments and asking for pictures (portfolio) - legit.
case(
    "b06",
    id="b06-ig-h01",
    fmt="instagram",
    victim="nadia.lens",
    offender=None,
    other="Studio North",
    start="2026-06-02 11:15",
    owner="nadia.lens",
    tz=0,
    sextortion=False,
    msgs=[
        ("O", "Hi Nadia, we run a small wedding studio in Leeds. Your landscape work is really beautiful"),
        ("V", "Thank you so much!"),
        ("O", "Could you send us a few more samples of your work? We're looking for a second shooter"),
        ("V", "Sure, I'll send a link to my portfolio"),
        ("O", "Great. Our email is bookings@example.com if that's easier"),
        ("V", "Perfect, I'll email you tonight"),
    ],
    indicators=[("email", "bookings@example.com", 4)],
)

# Mother and son on WhatsApp iOS: ID photo for the bank, a joke threat about baby photos.
case(
    "b06",
    id="b06-wa-ios-h01",
    fmt="wa_ios",
    victim="Sam",
    offender=None,
    other="Mum",
    chat_name="Mum",
    start="2026-09-01 08:00",
    sextortion=False,
    msgs=[
        ("*", ENC),
        ("O", "Morning love, can you send me a photo of your passport for the bank form"),
        ("V", "\u200eimage omitted"),
        (
            "O",
            "Thanks. And if you don't tidy your room before Nan comes I'm showing everyone your baby photos 😂",
        ),
        ("V", "mum no"),
        ("O", "Also I've sent you £40 for the train"),
        ("V", "got it thanks x"),
    ],
    indicators=[("amount", "GBP:40", 4)],
)


# =============================================================================================
# Batch 7
# =============================================================================================

# WhatsApp iOS, Nigerian-English-flavoured fake girl, snap in words, sort code with spaces.
case(
    "b07",
    id="b07-wa-ios-01",
    fmt="wa_ios",
    victim="Kieran",
    offender="Amaka 💕",
    chat_name="Amaka 💕",
    start="2026-08-22 23:15",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "Hi handsome, sorry to disturb, i saw your number on a group chat", ["contact", "flattery"]),
        ("V", "hi no worries"),
        ("O", "you look so cute in your profile pic, are you single?", ["flattery"]),
        ("V", "yeah haha"),
        ("O", "let us continue on snapchat, sc: amaka_luv2 add me now", ["platform_move"]),
        ("V", "ok"),
        (
            "O",
            "why you no send me picture? send me one nice pic now, I go send you my own",
            ["image_request"],
        ),
        ("V", "\u200eimage omitted"),
        (
            "O",
            "Oya see your followers list here, your mummy and your sister. I go send am to all of them",
            ["threat"],
        ),
        (
            "O",
            "Send me 200 pounds now now. Sort code 30 94 57 account number 43871265 name Chidi Eze",
            ["demand"],
        ),
        ("V", "i only have 80"),
        ("O", "send the 80 and bring the rest tomorrow", ["demand"]),
        ("V", "i have sent it", ["payment"]),
        ("O", "i don see am. Tomorrow 120 or everybody go see your picture", ["payment", "demand", "threat"]),
    ],
    indicators=[
        ("snapchat_username", "amaka_luv2", 4),
        ("uk_bank_account", "309457-43871265", 9),
        ("amount", "GBP:200", 9),
    ],
)

# Snapchat, US teen, video call, school screenshot, PayPal.me and Google Play cards.
case(
    "b07",
    id="b07-snap-01",
    fmt="snapchat",
    victim="ethan.k.12",
    offender="brianna_xx03",
    start="2026-03-03 20:05",
    sextortion=True,
    msgs=[
        ("O", "heyyy u popped up on my quick add 😊", ["contact"]),
        ("V", "hey"),
        ("O", "ur really cute, how old r u", ["flattery"]),
        ("V", "15 wbu"),
        ("O", "16 lol. wanna video chat? my cams on", ["image_request"]),
        ("V", "sure"),
        ("O", "so i recorded all that 😂 and i know u go to lincoln high, i have ur class list", ["threat"]),
        (
            "O",
            "send $300 to paypal.me/ricoflo99 or i send it to every kid in ur school",
            ["threat", "demand"],
        ),
        ("V", "i dont have paypal"),
        ("O", "then google play cards. $100 ones. go to walgreens now", ["demand"]),
        ("V", "ok i got one: 7KQW 2M9P XL4R 8TZN", ["payment"]),
        ("O", "got it. 2 more or its over for u", ["payment", "demand", "escalation", "threat"]),
    ],
    indicators=[
        ("paypal_me", "ricoflo99", 7),
        ("gift_card", "google_play:7KQW2M9PXL4R8TZN", 10),
        ("amount", "USD:300", 7),
        ("amount", "USD:100", 9),
    ],
)

# Instagram UK, snap given in words, a/c and s/c.
case(
    "b07",
    id="b07-ig-01",
    fmt="instagram",
    victim="harry_b04",
    offender="lucy 🌷",
    start="2026-10-11 21:48",
    owner="harry_b04",
    tz=0,
    sextortion=True,
    msgs=[
        ("O", "hey we've got like 40 mutuals haha do u go to king edward's?", ["contact"]),
        ("V", "yeah year 11"),
        ("O", "same year as my cousin! ur so fit", ["flattery"]),
        ("V", "ha cheers"),
        ("O", "add me on snap its lucyyxo_1", ["platform_move"]),
        ("V", "done"),
        ("O", "send me a mirror pic 🙈 i'll send one back promise", ["image_request"]),
        ("V", "[photo]"),
        (
            "O",
            "i screenshotted ur followers. pay me or i send it to all of them and ur school",
            ["threat", "demand"],
        ),
        ("O", "£150. a/c 55779911 s/c 09-01-29", ["demand"]),
        ("V", "please give me till tomorrow"),
        ("O", "no. 1 hour", ["demand"]),
    ],
    indicators=[
        ("snapchat_username", "lucyyxo_1", 4),
        ("uk_bank_account", "090129-55779911", 9),
        ("amount", "GBP:150", 9),
    ],
)

# Messenger, adult victim, moved to WhatsApp with a number, bitcoin.
case(
    "b07",
    id="b07-msgr-01",
    fmt="messenger",
    victim="Mark Ellison",
    offender="Sofia Lindqvist",
    start="2026-02-14 22:20",
    owner="markellison",
    tz=0,
    sextortion=True,
    msgs=[
        (
            "O",
            "Hi Mark, you popped up in people you may know. Hope you don't mind me saying hello",
            ["contact"],
        ),
        ("V", "Not at all, hello"),
        ("O", "You have kind eyes, I like mature men", ["flattery"]),
        ("V", "That's very flattering"),
        ("O", "I don't use facebook much, text me on whatsapp +44 7700 900873", ["platform_move"]),
        ("V", "Will do"),
        (
            "O",
            "Mark I have the recording of our video call and screenshots of your friends list and your wife",
            ["threat"],
        ),
        (
            "O",
            f"Send £1,000 in bitcoin to {mc.BTC_LEGACY} or it goes to all of them tonight",
            ["threat", "demand"],
        ),
        ("V", "I don't know how to buy bitcoin"),
        ("O", "There is a machine in any shop. Do it now", ["demand"]),
    ],
    indicators=[("phone", "+447700900873", 4), ("btc_address", mc.BTC_LEGACY, 7), ("amount", "GBP:1000", 7)],
)

# Telegram, backup account after a block, Apple card codes with spaces.
case(
    "b07",
    id="b07-tg-01",
    fmt="telegram",
    victim="Noah",
    offender="Lexi",
    start="2026-05-05 19:10",
    tz=-5,
    sextortion=True,
    msgs=[
        ("O", "hiii is this noah from the hoops camp?", ["contact"]),
        ("V", "yeah who's this"),
        ("O", "lexi! u were the cutest one there ngl", ["flattery"]),
        ("V", "lol"),
        ("O", "send me a pic of u rn", ["image_request"]),
        ("V", ""),
        ("O", "another one but no shirt 😏", ["image_request"]),
        ("V", ""),
        (
            "O",
            "ok now u are going to do what i say. i have ur instagram followers and ur parents",
            ["threat"],
        ),
        ("O", "$500 apple gift cards. send pics of the back", ["demand"]),
        ("V", "X9LM 4K2P QRT8 Z7WN", ["payment"]),
        ("O", "thats only 100. 400 more by 9pm", ["payment", "demand"]),
        ("V", "i blocked u and told my dad"),
        (
            "O",
            "u cant block me. my other acc is @lexi_backup2 and i still have everything",
            ["platform_move", "threat"],
        ),
    ],
    indicators=[
        ("gift_card", "apple:X9LM4K2PQRT8Z7WN", 10),
        ("telegram_username", "lexi_backup2", 13),
        ("amount", "USD:500", 9),
    ],
)

# Discord, Indian-English-flavoured, PayPal e-mail written around an obfuscation.
case(
    "b07",
    id="b07-discord-01",
    fmt="discord",
    victim="pixelpanda",
    offender="neha.k",
    start="2026-07-19 18:00",
    sextortion=True,
    msgs=[
        ("O", "hello, you are from the minecraft server na? you are very talented", ["contact", "flattery"]),
        ("V", "thanks lol"),
        ("O", "you want to do video call? I am also feeling bored", ["image_request"]),
        ("V", "ok sure"),
        (
            "O",
            "I have recorded the full call. I have screenshot of your server members and your friends list",
            ["threat"],
        ),
        (
            "O",
            "Kindly send $200 via PayPal to payments.rk (at) example (dot) org otherwise I will share with everyone",
            ["threat", "demand"],
        ),
        ("V", "I am 14 I have no money"),
        ("O", "Ask your parents. Do the needful in 1 hour", ["demand"]),
    ],
    indicators=[("email", "payments.rk@example.org", 5), ("amount", "USD:200", 5)],
)

# WhatsApp US, fake girl, Instagram handle, Zelle to e-mail split over two messages, self-harm.
case(
    "b07",
    id="b07-wa-us-01",
    fmt="wa_android_us",
    victim="Tyler",
    offender="Madison",
    other_raw="Madison",
    start="2026-09-27 21:40",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "hey its maddy from insta! ig: maddyy.k if u forgot 😘", ["contact"]),
        ("V", "oh hey"),
        ("O", "ur so sexy omg", ["flattery"]),
        ("V", "lol no u"),
        ("O", "send me something then 😈 i'll send back", ["image_request"]),
        ("V", "<Media omitted>"),
        (
            "O",
            "ok this is going to ur whole family and ur job unless u pay. i have ur fb friends",
            ["threat", "demand"],
        ),
        ("O", "$800 zelle. email is madkins.pay", ["demand"]),
        ("O", "@example.com", []),
        ("V", "please i'll lose everything. i'll kill myself", ["self_harm"]),
        ("O", "not my problem. 30 mins", ["demand"]),
    ],
    indicators=[
        ("instagram_username", "maddyy.k", 0),
        ("email", "madkins.pay@example.com", 7),
        ("amount", "USD:800", 7),
    ],
)

# Spam e-mail with a (fake) password and a P2SH address.
case(
    "b07",
    id="b07-email-01",
    fmt="email",
    victim="j.patel@example.org",
    offender="j.patel@example.org",
    from_addr="j.patel@example.org",
    subject="Security alert: sunflower22",
    start="2026-11-01 03:33",
    sextortion=True,
    body=(
        "I know sunflower22 is your password. I installed software on your computer and recorded your screen and "
        "webcam. I have the video and the list of your contacts.\n\nThe price is $950. Pay in bitcoin to "
        f"{mc.BTC_P2SH} (copy and paste it). If I do not get the bitcoin in 2 days the video goes to all your "
        "contacts, including family and coworkers."
    ),
    body_stages=["threat", "demand"],
    indicators=[("btc_address", mc.BTC_P2SH, 0), ("amount", "USD:950", 0)],
)

# ---- hard negatives ----

# Friends on WhatsApp: outfit pics, "I'll expose you", snap handle.
case(
    "b07",
    id="b07-wa-gb-h01",
    fmt="wa_android_gb",
    victim="Ellie",
    offender=None,
    other="Priya",
    other_raw="Priya",
    start="2026-06-12 17:00",
    sextortion=False,
    msgs=[
        ("*", ENC),
        ("O", "send me a pic of ur outfit for tonight!!"),
        ("V", "<Media omitted>"),
        ("O", "STUNNING. ur so gorgeous i hate u"),
        ("V", "stoppp ily"),
        ("O", "if u ditch me for ben again i'm exposing ur year 7 emo pics to everyone 😂"),
        ("V", "u wouldn't"),
        ("O", "try me. also my snap got hacked, new one is priyaa.k_"),
        ("V", "added x"),
    ],
    indicators=[("snapchat_username", "priyaa.k_", 6)],
)

# Marketplace buyer scam (not sextortion) on Messenger.
case(
    "b07",
    id="b07-msgr-h01",
    fmt="messenger",
    victim="Gemma Lloyd",
    offender=None,
    other="Kevin Rourke",
    start="2026-04-18 13:00",
    owner="gemmalloyd",
    tz=0,
    sextortion=False,
    msgs=[
        ("O", "Hello is the sofa still available? I will pay £250 plus courier"),
        ("V", "Yes it is"),
        ("O", "Kindly send your email so PayPal can release the funds"),
        ("V", "Why not just bank transfer?"),
        (
            "O",
            "My courier needs £60 first for insurance, send to paypal.me/kevrourke55 and I refund it with the payment",
        ),
        ("V", "This is a scam. Reported."),
    ],
    indicators=[("paypal_me", "kevrourke55", 4), ("amount", "GBP:250", 0), ("amount", "GBP:60", 4)],
)

# Siblings on Snapchat: "I'm telling mum", screenshots.
case(
    "b07",
    id="b07-snap-h01",
    fmt="snapchat",
    victim="zara.m",
    offender=None,
    other="leo.m_08",
    start="2026-01-06 16:30",
    sextortion=False,
    msgs=[
        ("O", "i screenshotted ur snap of u at the party when u said u were at hannah's"),
        ("V", "delete it now"),
        ("O", "give me £10 and i wont tell mum"),
        ("V", "ur literally 12 this is blackmail"),
        ("O", "£5 then lol"),
        ("V", "fine i'll buy u chips"),
        ("O", "deal"),
    ],
    indicators=[("amount", "GBP:10", 2), ("amount", "GBP:5", 4)],
)

# Task job scam (not sextortion) on Telegram with a TRON address.
case(
    "b07",
    id="b07-tg-h01",
    fmt="telegram",
    victim="Olu",
    offender=None,
    other="HR Recruiter Jane",
    start="2026-03-22 09:30",
    sextortion=False,
    msgs=[
        ("O", "Good morning, we found your CV online. Part time job, earn 200-500 daily from home"),
        ("V", "what is the job"),
        ("O", "Simple tasks: like videos and leave reviews. To unlock VIP tasks pay 50 USDT"),
        ("O", f"TRC20 address: {mc.TRON_2}"),
        ("V", "i won't pay to work, bye"),
    ],
    indicators=[("tron_address", mc.TRON_2, 3)],
)

# Gaming trade on Discord: a gift card code for a skin.
case(
    "b07",
    id="b07-discord-h01",
    fmt="discord",
    victim="frostbyte",
    offender=None,
    other="kai.trades",
    start="2026-08-08 15:00",
    sextortion=False,
    msgs=[
        ("O", "u still selling the dragon skin?"),
        ("V", "yeah for a $20 steam card"),
        ("O", "ok here: 4TQ9M-X2LPK-R7WZN"),
        ("V", "redeemed, sending the trade now"),
        ("O", "got it thanks, add me on snap kai.trades9 for future deals"),
    ],
    indicators=[
        ("gift_card", "steam:4TQ9MX2LPKR7WZN", 2),
        ("snapchat_username", "kai.trades9", 4),
        ("amount", "USD:20", 1),
    ],
)

# Work chat on Skype: invoice e-mail and bank details.
case(
    "b07",
    id="b07-skype-h01",
    fmt="skype",
    victim="Fiona Grant",
    offender=None,
    other="Paul Hewitt",
    owner_id="live:fiona.grant.acc",
    start="2026-02-25 10:05",
    sextortion=False,
    msgs=[
        ("O", "Morning Fiona, could you pay the March invoice today? £1,240"),
        ("V", "Sure, same details as before?"),
        ("O", "New account actually: sort code 60-16-13, account number 58312764"),
        ("O", "Remittance to accounts@example.com please"),
        ("V", "Paid, remittance sent"),
        ("O", "Received, thank you!"),
    ],
    indicators=[
        ("uk_bank_account", "601613-58312764", 2),
        ("email", "accounts@example.com", 3),
        ("amount", "GBP:1240", 0),
    ],
)


# =============================================================================================
# Batch 8
# =============================================================================================

# WhatsApp UK, fake young man targets a girl, account before sort code.
case(
    "b08",
    id="b08-wa-gb-01",
    fmt="wa_android_gb",
    victim="Maisie",
    offender="Tom",
    other_raw="Tom",
    start="2026-07-25 20:40",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "heyy maisie right? saw u at the leavers party, we have loads of mutuals", ["contact"]),
        ("V", "oh hi!"),
        ("O", "honestly ur the prettiest girl in ur year", ["flattery"]),
        ("V", "omg no 🙈"),
        ("O", "send us a selfie? wanna see what ur up to", ["image_request"]),
        ("V", "<Media omitted>"),
        ("O", "now one in ur pjs 😏", ["image_request"]),
        ("V", "<Media omitted>"),
        (
            "O",
            "right. i've got these and a screenshot of ur mum and dad's facebook. 50 quid or they see them",
            ["threat", "demand"],
        ),
        ("O", "acc no 70872490 sort 40-11-62", ["demand"]),
        ("V", "please i'll tell the police"),
        ("O", "tell them. i'm posting at 10", ["threat"]),
    ],
    indicators=[("uk_bank_account", "401162-70872490", 9), ("amount", "GBP:50", 8)],
)

# Instagram US, snap with a ghost emoji, Cash App, a higher demand after a missed deadline.
case(
    "b08",
    id="b08-ig-02",
    fmt="instagram",
    victim="cj_hoops3",
    offender="ava.grace",
    start="2026-11-10 22:05",
    owner="cj_hoops3",
    tz=-5,
    sextortion=True,
    msgs=[
        ("O", "hey cutie u play ball? 🏀", ["contact", "flattery"]),
        ("V", "yea varsity"),
        ("O", "thats hot. 👻 jaylen.mx is my snap its my bros acc but add it", ["platform_move"]),
        ("V", "bet"),
        ("O", "send me a pic on there, only u and me 🤫", ["image_request"]),
        ("V", "sent it"),
        ("O", "i got ur pic and i got every follower u have. pay or its over for u", ["threat", "demand"]),
        ("O", "cash app: $JMoney4455 - $350 by 11pm", ["demand"]),
        ("V", "i cant"),
        ("O", "its 11:05. now its $700 and i'm starting with ur mom", ["demand", "escalation", "threat"]),
    ],
    indicators=[
        ("snapchat_username", "jaylen.mx", 2),
        ("cashapp_cashtag", "jmoney4455", 7),
        ("amount", "USD:350", 7),
        ("amount", "USD:700", 9),
    ],
)

# Telegram, Nigerian-English-flavoured, moves to WhatsApp with a national number.
case(
    "b08",
    id="b08-tg-02",
    fmt="telegram",
    victim="Owen",
    offender="Precious",
    start="2026-04-28 23:50",
    sextortion=True,
    msgs=[
        ("O", "Hello my dear, how was your night? I found you in the crypto group", ["contact"]),
        ("V", "hi, it's fine"),
        ("O", "You are so handsome and caring, I like you already", ["flattery"]),
        ("V", "that's nice of you"),
        ("O", "Chat me on whatsapp 07700 900 316, telegram dey hang", ["platform_move"]),
        ("V", "ok"),
        (
            "O",
            "I have your video from the call and your facebook friends, I will share it to them unless you pay 400 pounds",
            ["threat", "demand"],
        ),
        ("V", "please I don't have that"),
        ("O", "You dey play? Send am before 12 or I start posting", ["demand", "threat"]),
    ],
    indicators=[("phone", "+447700900316", 4), ("amount", "GBP:400", 6)],
)

# Messenger, Amazon cards, escalation, self-harm in other words.
case(
    "b08",
    id="b08-msgr-02",
    fmt="messenger",
    victim="Jack Turner",
    offender="Emily Rose",
    start="2026-09-14 21:00",
    owner="jackturner",
    tz=0,
    sextortion=True,
    msgs=[
        (
            "O",
            "hey jack, sorry random but u came up on my suggested friends and ur cute 🙊",
            ["contact", "flattery"],
        ),
        ("V", "haha hi"),
        ("O", "wanna facetime? i'm so bored", ["image_request"]),
        ("V", "ok"),
        ("O", "ha i recorded u. i've got ur friends list, ur team and ur gran", ["threat"]),
        ("O", "£50 amazon gift card. send the code", ["demand"]),
        ("V", "here: AQ9TPX7LM2KW", ["payment"]),
        (
            "O",
            "thanks. i want another £100 now or they all get it",
            ["payment", "demand", "escalation", "threat"],
        ),
        ("V", "i can't do this anymore whats the point of anything", ["self_harm"]),
    ],
    indicators=[("gift_card", "amazon:AQ9TPX7LM2KW", 6), ("amount", "GBP:50", 5), ("amount", "GBP:100", 7)],
)

# Snapchat, asks for the victim's WhatsApp, TRON USDT.
case(
    "b08",
    id="b08-snap-02",
    fmt="snapchat",
    victim="aarav_s",
    offender="simran.k22",
    start="2026-12-01 22:30",
    sextortion=True,
    msgs=[
        ("O", "hiii, you are looking nice in your bitmoji 😅 where are you from", ["contact", "flattery"]),
        ("V", "birmingham"),
        ("O", "whats your whatsapp number? snap is not working properly", ["platform_move"]),
        ("V", "07700900521"),
        ("O", "send one pic without shirt na, I will also send", ["image_request"]),
        ("V", ""),
        (
            "O",
            "now listen carefully. I will post this to your family group and your college, I have all their names",
            ["threat"],
        ),
        ("O", f"pay 150 usd in usdt trc20 {mc.TRON_1}", ["demand"]),
    ],
    indicators=[("phone", "+447700900521", 3), ("tron_address", mc.TRON_1, 7), ("amount", "USD:150", 7)],
)

# Discord, taproot address, a higher demand when the deadline passes.
case(
    "b08",
    id="b08-discord-02",
    fmt="discord",
    victim="sk8rboi",
    offender="mila.exe",
    start="2026-06-06 01:10",
    sextortion=True,
    msgs=[
        ("O", "hey! saw u in the valorant lfg, ur aim is insane", ["contact", "flattery"]),
        ("V", "haha thx"),
        ("O", "can u show me ur face? i'll turn my cam on too", ["image_request"]),
        ("V", "ok"),
        (
            "O",
            "i screen recorded that. i also have a list of ur friends on here. pay or i send it to all of them",
            ["threat", "demand"],
        ),
        ("O", f"$100 in btc to {mc.BTC_TAPROOT} by 3am", ["demand"]),
        ("V", "i dont know how"),
        ("O", "3am passed. $200 now", ["demand", "escalation"]),
    ],
    indicators=[("btc_address", mc.BTC_TAPROOT, 5), ("amount", "USD:100", 5), ("amount", "USD:200", 7)],
)

# Pasted text with "snap:" and a sort code without dashes.
case(
    "b08",
    id="b08-plain-02",
    fmt="plain",
    victim="Me",
    offender="Bella",
    header="messages from bella, copied from my phone",
    start="2026-03-30 20:00",
    sextortion=True,
    msgs=[
        ("O", "hey u dont know me but ur really cute x", ["contact", "flattery"]),
        ("V", "hey, thanks"),
        ("O", "snap: x_bella.rose_x", ["platform_move"]),
        ("V", "added you"),
        ("O", "show me ur body babe, i'll go first if u want", ["image_request"]),
        ("V", "ok"),
        (
            "O",
            "I've got ur pics and I've got ur nan's and ur mum's accounts. You're paying me",
            ["threat", "demand"],
        ),
        ("O", "£200 to sortcode 309634 acc 12873456", ["demand"]),
    ],
    indicators=[
        ("snapchat_username", "x_bella.rose_x", 2),
        ("uk_bank_account", "309634-12873456", 7),
        ("amount", "GBP:200", 7),
    ],
)

# Skype, adult victim, Kik move, MoneyGram.
case(
    "b08",
    id="b08-skype-02",
    fmt="skype",
    victim="Derek Moss",
    offender="Cassie",
    owner_id="live:derek.moss.77",
    start="2026-01-15 22:00",
    sextortion=True,
    msgs=[
        ("O", "Hi Derek, I'm new here, you look like a real gentleman", ["contact", "flattery"]),
        ("V", "Hello Cassie"),
        ("O", "kik me: cassie_luvs , skype is so slow", ["platform_move"]),
        ("V", "I don't have kik, can we video here?"),
        ("O", "Sure honey, turn on your cam", ["image_request"]),
        ("*", ""),
        ("O", "Derek, I saved the video. Your daughter Lucy and your colleagues will get it", ["threat"]),
        ("O", "$600 by MoneyGram to Kofi Mensah, Accra, then send me the reference number", ["demand"]),
        ("V", "Sent. Reference 73920481", ["payment"]),
    ],
    indicators=[
        ("kik_username", "cassie_luvs", 2),
        ("moneygram_reference", "73920481", 7),
        ("amount", "USD:600", 6),
    ],
)

# WhatsApp iOS, threat first, euro IBAN.
case(
    "b08",
    id="b08-wa-ios-02",
    fmt="wa_ios",
    victim="Lukas",
    offender="+44 7700 900904",
    chat_name="+44 7700 900904",
    start="2026-05-18 07:15",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "I have your pictures from snapchat. Your friends on instagram will love them", ["threat"]),
        ("V", "who is this?"),
        ("O", f"€300 to {mc.IBAN_NL} today. If not, I post", ["threat", "demand"]),
        ("V", "I'm blocking you"),
    ],
    indicators=[("iban", mc.IBAN_NL, 2), ("amount", "EUR:300", 2)],
)

# ---- hard negatives ----

# Friends sharing a holiday villa cost: sort code and account.
case(
    "b08",
    id="b08-wa-ios-h02",
    fmt="wa_ios",
    victim="Dan",
    offender=None,
    other="Becca",
    chat_name="Becca",
    start="2026-02-02 19:00",
    sextortion=False,
    msgs=[
        ("*", ENC),
        ("O", "villa's booked!! need £120 from you by friday"),
        ("V", "amazing, where do i send it"),
        ("O", "20-45-77\n83920174\nR Clarke"),
        ("V", "done 👍"),
        ("O", "got it, if you bail now i'm posting that karaoke video 😂"),
    ],
    indicators=[("uk_bank_account", "204577-83920174", 2), ("amount", "GBP:120", 0)],
)

# An online couple of six months: compliments, selfies, video calls.
case(
    "b08",
    id="b08-tg-h02",
    fmt="telegram",
    victim="Hannah",
    offender=None,
    other="Marcus",
    start="2026-10-08 21:00",
    sextortion=False,
    msgs=[
        ("O", "goodnight beautiful, 6 months today ❤️"),
        ("V", "i can't believe it's been 6 months!"),
        ("O", "send me a selfie, i miss your face"),
        ("V", ""),
        ("O", "gorgeous as always. video call tomorrow before work?"),
        ("V", "yes! and i booked the train for the 20th"),
    ],
    indicators=[],
)

# A brand reaching out to a creator: stranger, compliments, move to WhatsApp, a rate card.
case(
    "b08",
    id="b08-ig-h02",
    fmt="instagram",
    victim="fit.with.nia",
    offender=None,
    other="GlowUp Skincare",
    start="2026-07-01 10:00",
    owner="fit.with.nia",
    tz=0,
    sextortion=False,
    msgs=[
        ("O", "Hi Nia! We love your content, your glow is amazing ✨"),
        ("V", "Aw thank you!"),
        (
            "O",
            "We'd love a paid collab. Could you send your rate card and a few photos of your recent posts?",
        ),
        ("V", "Sure"),
        ("O", "Easier on WhatsApp: +44 7700 900555, ask for Jade"),
    ],
    indicators=[("phone", "+447700900555", 4)],
)

# Friends' banter on Discord: a clip, "carry me or else".
case(
    "b08",
    id="b08-discord-h02",
    fmt="discord",
    victim="lunaa",
    offender=None,
    other="beans.exe",
    start="2026-03-12 20:00",
    sextortion=False,
    msgs=[
        ("O", "i clipped u screaming at that spider 💀"),
        ("V", "DELETE IT"),
        ("O", "carry me in ranked or it goes on my tiktok"),
        ("V", "blackmail is a crime"),
        ("O", "send me a pic of ur new setup tho"),
        ("V", ""),
    ],
    indicators=[],
)

# Landlord and tenant: rent by Friday or notice.
case(
    "b08",
    id="b08-plain-h02",
    fmt="plain",
    victim="Me",
    offender=None,
    other="Landlord",
    header="texts with my landlord",
    start="2026-04-01 09:00",
    sextortion=False,
    msgs=[
        ("O", "Rent of £650 was due on the 1st. If it's not paid by Friday I'll have to serve notice"),
        ("V", "Sorry, paying today"),
        ("O", "Same account: 40-47-84 31926819"),
        ("V", "Paid"),
    ],
    indicators=[("uk_bank_account", "404784-31926819", 2), ("amount", "GBP:650", 0)],
)

# A friend reports someone else's sextortion (reported speech).
case(
    "b08",
    id="b08-snap-h02",
    fmt="snapchat",
    victim="jas.w",
    offender=None,
    other="amyy.b",
    start="2026-09-19 18:00",
    sextortion=False,
    msgs=[
        ("O", "omg someone is threatening my cousin saying they'll post her pics unless she pays £200"),
        ("V", "no way, tell her to screenshot it and report it to ceop"),
        ("O", "yeah she's telling her mum tonight"),
        ("V", "good. and don't pay them"),
    ],
    indicators=[],
)


# =============================================================================================
# Batch 9 (written after the changes made for b06-b08; its first-seen scores are the honest estimate)
# =============================================================================================

# WhatsApp UK, "Sophie" from a gaming group, voice note, PayPal e-mail with spaces, a partial payment.
case(
    "b09",
    id="b09-wa-gb-01",
    fmt="wa_android_gb",
    victim="Reece",
    offender="Sophie",
    other_raw="Sophie",
    start="2026-11-21 22:45",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "heya, got ur number from the fortnite group chat, hope thats ok 🙂", ["contact"]),
        ("V", "yeah course"),
        ("O", "ur pfp is lush btw, u look like u play footy", ["flattery"]),
        ("V", "ha i do"),
        ("O", "bet ur in good shape 👀 show me?", ["image_request"]),
        ("V", "<Media omitted>"),
        ("O", "more, take ur top off this time", ["image_request"]),
        ("V", "<Media omitted>"),
        (
            "O",
            "so ive saved all them and ive got a screenshot of ur followers incl ur mam and nan",
            ["threat"],
        ),
        (
            "O",
            "u send me £200 on paypal or i make a group chat with all of them and post them",
            ["threat", "demand"],
        ),
        ("O", "sophie.w . pay @ example . com", ["demand"]),
        ("V", "ive only got 40 i swear"),
        ("O", "send it then and the rest friday", ["demand"]),
        ("V", "done", ["payment"]),
    ],
    indicators=[("email", "sophie.w.pay@example.com", 10), ("amount", "GBP:200", 9)],
)

# Instagram US, "Brooke", fast: picture request in the third message, Apple cards, threat on the school.
case(
    "b09",
    id="b09-ig-01",
    fmt="instagram",
    victim="dylan.m_14",
    offender="brooke ☁️",
    start="2026-04-17 23:02",
    owner="dylan.m_14",
    tz=-8,
    sextortion=True,
    msgs=[
        ("O", "hey! we have 23 mutuals lol", ["contact"]),
        ("V", "oh hey"),
        ("O", "ur adorable. wanna trade pics?", ["flattery", "image_request"]),
        ("V", "like what"),
        ("O", "u know 😉 i'll send first", ["image_request"]),
        ("V", "[photo]"),
        (
            "O",
            "LOL. this is going to every single person at westview high unless u do exactly what i say",
            ["threat"],
        ),
        ("O", "$150 apple gift card. picture of the back", ["demand"]),
        ("V", "please i'm begging u"),
        ("O", "u have 20 min. tick tock", ["demand"]),
    ],
    indicators=[("amount", "USD:150", 7)],
)

# Snapchat, Nigerian-English-flavoured, "bank account" in Nigeria and a crypto alternative.
case(
    "b09",
    id="b09-snap-01",
    fmt="snapchat",
    victim="cal.r",
    offender="jennyy.luv",
    start="2026-08-30 00:20",
    sextortion=True,
    msgs=[
        ("O", "hi baby, you appeared on my quick add, you fine die 😍", ["contact", "flattery"]),
        ("V", "haha hi"),
        ("O", "make we play, send me your naked pic, i go send my own too", ["image_request"]),
        ("V", ""),
        ("O", "see am. i don collect your friends list, na everybody go see am", ["threat"]),
        ("O", f"send 250 dollars bitcoin now now: {mc.BTC_BECH32}", ["demand"]),
        ("V", "i cant please"),
        ("O", "you no get choice. 1 hour", ["demand"]),
    ],
    indicators=[("btc_address", mc.BTC_BECH32, 5), ("amount", "USD:250", 5)],
)

# Telegram, Indian-English-flavoured, fake police follow-up ("cyber cell") after a video call, UPI amount.
case(
    "b09",
    id="b09-tg-01",
    fmt="telegram",
    victim="Rahul",
    offender="Pooja",
    start="2026-07-12 22:10",
    tz=5,
    sextortion=True,
    msgs=[
        ("O", "Hii, you are from Pune? Your pics are very nice", ["contact", "flattery"]),
        ("V", "yes, thanks"),
        ("O", "Come on video call na, I want to talk face to face", ["image_request"]),
        ("V", "ok 5 min"),
        (
            "O",
            "I have made screen recording of you. Your friends and family list I have taken from your facebook",
            ["threat"],
        ),
        (
            "O",
            "Send Rs 20,000 immediately or I will upload on youtube and tag everyone",
            ["threat", "demand"],
        ),
        ("V", "I sent 3000 all I have", ["payment"]),
        ("O", "Not enough. Send 10000 more today", ["demand", "escalation"]),
    ],
    indicators=[("amount", "INR:20000", 5)],
)

# Discord, asks for the victim's Instagram to find his followers, threat and Cash App.
case(
    "b09",
    id="b09-discord-01",
    fmt="discord",
    victim="noahplays",
    offender="emmy.xo",
    start="2026-02-27 21:30",
    sextortion=True,
    msgs=[
        ("O", "heyy saw u in the rocket league server 👋", ["contact"]),
        ("V", "hey"),
        ("O", "whats ur insta?", ["platform_move"]),
        ("V", "noah.plays.rl"),
        ("O", "omg ur so good looking irl", ["flattery"]),
        ("O", "send me a pic here? nobody will ever see it i promise", ["image_request"]),
        ("V", ""),
        (
            "O",
            "i now have ur pic + all 412 of ur insta followers. pay up or they get a DM each",
            ["threat", "demand"],
        ),
        ("O", "$300 cashapp $emmyxo300", ["demand"]),
    ],
    indicators=[
        ("instagram_username", "noah.plays.rl", 3),
        ("cashapp_cashtag", "emmyxo300", 8),
        ("amount", "USD:300", 8),
    ],
)

# Plain text, spam-like threat first, sort code on two lines with "Sort:" and "Acc:".
case(
    "b09",
    id="b09-plain-01",
    fmt="plain",
    victim="Me",
    offender="Unknown number",
    header="sms from unknown number",
    start="2026-09-03 02:00",
    sextortion=True,
    msgs=[
        (
            "O",
            "We have the video call recording of you. Your contacts, your family and your employer will receive it.",
            ["threat"],
        ),
        ("O", "Transfer £750 today.\nSort: 20-71-64\nAcc: 53319286\nRef: CLEAN", ["demand"]),
        ("V", "Who is this?"),
        ("O", "Someone who will ruin you if you do not pay by 6pm", ["threat", "demand"]),
    ],
    indicators=[("uk_bank_account", "207164-53319286", 1), ("amount", "GBP:750", 1)],
)

# Messenger, older victim, fake woman, move to WhatsApp, Steam card codes, a second demand.
case(
    "b09",
    id="b09-msgr-01",
    fmt="messenger",
    victim="Alan Booth",
    offender="Marina Koval",
    start="2026-03-08 20:15",
    owner="alanbooth",
    tz=0,
    sextortion=True,
    msgs=[
        ("O", "Good evening Alan, sorry to bother you, I think we have some friends in common", ["contact"]),
        ("V", "Good evening, possibly!"),
        ("O", "You have such a warm smile in your photos", ["flattery"]),
        ("V", "That's very kind"),
        ("O", "Let's talk on WhatsApp, here is my number +44 7700 900648", ["platform_move"]),
        ("V", "I'll message you there"),
        ("O", "Alan, I have our video and I found your wife and your grandchildren on your page", ["threat"]),
        (
            "O",
            "I want £400 in Steam cards today or I send the video to your wife first",
            ["threat", "demand"],
        ),
        ("V", "Here are two codes: 7Q2LM-KX9PZ-4RTWN and J8VNC-2LQ7M-XP3KD", ["payment"]),
        ("O", "Thank you. My brother says it is not enough, £300 more", ["payment", "demand", "escalation"]),
    ],
    indicators=[
        ("phone", "+447700900648", 4),
        ("gift_card", "steam:7Q2LMKX9PZ4RTWN", 8),
        ("gift_card", "steam:J8VNC2LQ7MXP3KD", 8),
        ("amount", "GBP:400", 7),
        ("amount", "GBP:300", 9),
    ],
)

# Skype, threat first from a stranger, e-mail written around brackets, Bitcoin machine.
case(
    "b09",
    id="b09-skype-01",
    fmt="skype",
    victim="Peter Lang",
    offender="Kate Morris",
    owner_id="live:peter.lang.71",
    start="2026-06-24 19:00",
    sextortion=True,
    msgs=[
        ("O", "Peter, you remember our call last night? I have all of it recorded", ["threat"]),
        ("V", "What do you want"),
        (
            "O",
            "€900. Use a bitcoin machine and send the receipt to kate.m.2026 (at) example (dot) net",
            ["demand"],
        ),
        ("O", "If I don't see it tonight your colleagues on LinkedIn get the video", ["threat", "demand"]),
    ],
    indicators=[("email", "kate.m.2026@example.net", 2), ("amount", "EUR:900", 2)],
)

# WhatsApp iOS, US teen, "Ava", Snapchat in words and a video call offer, victim speaks of not wanting to live.
case(
    "b09",
    id="b09-wa-ios-01",
    fmt="wa_ios",
    victim="Jordan",
    offender="Ava 🌸",
    chat_name="Ava 🌸",
    start="2026-10-30 21:55",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "hi jordan! it's ava, we met at the homecoming afterparty?", ["contact"]),
        ("V", "oh hey lol i don't really remember"),
        ("O", "aww its ok. u were the cutest guy there", ["flattery"]),
        ("V", "lol thanks"),
        ("O", "add my snap its avaa.bby_, easier to talk", ["platform_move"]),
        ("O", "or we could just facetime rn 😏", ["image_request"]),
        ("V", "ok"),
        (
            "O",
            "i screen recorded the facetime. ur family and friends will see it unless u send $500",
            ["threat", "demand"],
        ),
        ("V", "i don't want to be alive anymore", ["self_harm"]),
        ("O", "then pay and it goes away", ["demand"]),
    ],
    indicators=[("snapchat_username", "avaa.bby_", 4), ("amount", "USD:500", 7)],
)

# ---- hard negatives ----

# Group-ish friends' chat on WhatsApp: "pay up or the photo goes in the group", a joke.
case(
    "b09",
    id="b09-wa-gb-h01",
    fmt="wa_android_gb",
    victim="Ollie",
    offender=None,
    other="Jamie",
    other_raw="Jamie",
    start="2026-05-16 13:00",
    sextortion=False,
    msgs=[
        ("*", ENC),
        ("O", "u owe me a fiver for the chippy"),
        ("V", "yeah yeah"),
        ("O", "pay up or the pic of u asleep on the bus goes in the lads chat 😂"),
        ("V", "do it i look majestic"),
        ("O", "lol. sending u my new snap too, jamie.k77"),
        ("V", "added"),
    ],
    indicators=[("snapchat_username", "jamie.k77", 4)],
)

# A dating-app match, real: compliments, move to WhatsApp, a date. No pictures, no money.
case(
    "b09",
    id="b09-tg-h01",
    fmt="telegram",
    victim="Grace",
    offender=None,
    other="Ben",
    start="2026-06-19 19:30",
    sextortion=False,
    msgs=[
        ("O", "Hi Grace! We matched on hinge, your hiking pics are amazing"),
        ("V", "Haha thanks, you too, love the dog"),
        ("O", "Fancy a drink on Thursday? The Crown at 7?"),
        ("V", "Sounds good!"),
        ("O", "Great, here's my number if easier: 07700 900733"),
    ],
    indicators=[("phone", "+447700900733", 4)],
)

# Phishing (not sextortion): a fake bank asks for details, with a sort code and account.
case(
    "b09",
    id="b09-plain-h01",
    fmt="plain",
    victim="Me",
    offender=None,
    other="Bank Alerts",
    header="text from 'bank'",
    start="2026-01-29 10:00",
    sextortion=False,
    msgs=[
        (
            "O",
            "Your account has been locked due to suspicious activity. Move your funds to this safe account now: sort code 04-00-75 account 19283746",
        ),
        ("V", "My bank would never text me this. Reported to 7726."),
    ],
    indicators=[("uk_bank_account", "040075-19283746", 0)],
)

# Couple on Messenger: selfie, "I'll tell everyone", a payment for concert tickets.
case(
    "b09",
    id="b09-msgr-h01",
    fmt="messenger",
    victim="Leah Brown",
    offender=None,
    other="Chris Adeyemi",
    start="2026-08-11 18:00",
    owner="leahbrown",
    tz=0,
    sextortion=False,
    msgs=[
        ("O", "miss u, send me a selfie from the beach!"),
        ("V", "[photo]"),
        ("O", "ur so beautiful 😍"),
        ("V", "stoppp. also u owe me £45 for the concert tickets"),
        (
            "O",
            "sending now. if u don't bring me back a stick of rock i'm telling everyone u cried at the film",
        ),
        ("V", "deal 😂"),
    ],
    indicators=[("amount", "GBP:45", 3)],
)

# Discord: a streamer's mod asking for clips and a PayPal for a commission (business).
case(
    "b09",
    id="b09-discord-h01",
    fmt="discord",
    victim="artbyzoe",
    offender=None,
    other="stream.mod.dan",
    start="2026-10-02 16:00",
    sextortion=False,
    msgs=[
        ("O", "hey zoe, ur emotes are sick, could u do a commission for our channel?"),
        ("V", "sure! £60 for 3"),
        ("O", "deal, send me a pic of the sketches when ready"),
        ("V", "will do, paypal.me/artbyzoe22 for the deposit"),
        ("O", "sent £30 deposit"),
    ],
    indicators=[("paypal_me", "artbyzoe22", 3), ("amount", "GBP:60", 1), ("amount", "GBP:30", 4)],
)

# Snapchat: a friend warns about a scam message she got (reported speech).
case(
    "b09",
    id="b09-snap-h01",
    fmt="snapchat",
    victim="mia.j",
    offender=None,
    other="tash_b",
    start="2026-11-05 20:00",
    sextortion=False,
    msgs=[
        (
            "O",
            "some random account just messaged me saying they have pics of me and want $200 in gift cards lol",
        ),
        ("V", "omg block and report, it's a scam, they do it to everyone"),
        ("O", "already did, and told my dad"),
        ("V", "good 💕"),
    ],
    indicators=[],
)


# =============================================================================================
# Batch 10 (written after the changes made for b09)
# =============================================================================================

# WhatsApp US, "Hailey" from TikTok, phone in US format, Zelle, victim pays, re-demand with a deadline.
case(
    "b10",
    id="b10-wa-us-01",
    fmt="wa_android_us",
    victim="Carter",
    offender="+1 202-555-0147",
    other_raw="\u202a+1 202-555-0147\u202c",
    start="2026-12-04 22:05",
    sextortion=True,
    msgs=[
        ("*", ENC),
        ("O", "hey its hailey from tiktok 🙂 u commented on my vid", ["contact"]),
        ("V", "oh lol hi"),
        ("O", "ur lowkey so attractive, whats ur age?", ["flattery"]),
        ("V", "16"),
        ("O", "same!! can u send me a pic rn, wanna see if ur as cute as ur pfp", ["image_request"]),
        ("V", "<Media omitted>"),
        ("O", "ok now somethin more private 😜", ["image_request"]),
        ("V", "<Media omitted>"),
        (
            "O",
            "u really thought i was a girl lmao. i got ur pics and ur whole following list. pay $250 or i post u everywhere",
            ["threat", "demand"],
        ),
        ("O", "zelle to +1 202-555-0193 in 30 mins", ["demand"]),
        ("V", "ok sent $100 thats all i got", ["payment"]),
        ("O", "i see it. 150 more by 11 or ur school sees them", ["payment", "demand", "threat"]),
    ],
    indicators=[("phone", "+12025550193", 9), ("amount", "USD:250", 8), ("amount", "USD:100", 10)],
)

# Instagram UK, "Mia", screenshot of family, gift cards from a shop, victim tells the offender he'll report.
case(
    "b10",
    id="b10-ig-01",
    fmt="instagram",
    victim="alfie_17",
    offender="mia.rosee_",
    start="2026-09-19 20:40",
    owner="alfie_17",
    tz=0,
    sextortion=True,
    msgs=[
        ("O", "heyy i think u know my mate ellie? 😊", ["contact"]),
        ("V", "ellie who"),
        ("O", "ellie from college haha. ur well fit btw", ["flattery"]),
        ("V", "haha ta"),
        ("O", "ive got snap if u want, its mia.rosee22", ["platform_move"]),
        ("V", "nah lets just talk here"),
        ("O", "ok well send me one then, just u 😘", ["image_request"]),
        ("V", "[photo]"),
        ("O", "now look at this 👇 thats ur mum, ur dad and ur sister. they'll all get ur pic", ["threat"]),
        (
            "O",
            "get £100 in google play cards from tesco and send the codes or it goes out tonight",
            ["threat", "demand"],
        ),
        ("V", "i'm reporting you to ceop"),
        ("O", "report me and it goes out now", ["threat"]),
    ],
    indicators=[("snapchat_username", "mia.rosee22", 4), ("amount", "GBP:100", 9)],
)

# Telegram, Nigerian-English-flavoured, IBAN written with spaces, "my oga", pay or "i go scatter your life".
case(
    "b10",
    id="b10-tg-01",
    fmt="telegram",
    victim="Liam",
    offender="Adaeze",
    start="2026-05-22 23:30",
    sextortion=True,
    msgs=[
        ("O", "Good evening handsome, pls who are you? your number dey my phone", ["contact", "flattery"]),
        ("V", "I'm Liam, who's this"),
        (
            "O",
            "Adaeze. You sweet sha. Make we video call, i wan see your face",
            ["flattery", "image_request"],
        ),
        ("V", "ok"),
        ("*", ""),
        ("O", "I don record the video call. Your people go see am", ["threat"]),
        (
            "O",
            "Send 500 euro to DE89 3704 0044 0532 0130 00 before morning or i go scatter your life",
            ["threat", "demand"],
        ),
        ("V", "I don't have it"),
        ("O", "my oga say na 700 now because you dey waste time", ["demand", "escalation"]),
    ],
    indicators=[("iban", mc.IBAN_DE, 5), ("amount", "EUR:500", 5)],
)

# Discord, "snapchat username:", threat to send to the server, razer gold.
case(
    "b10",
    id="b10-discord-01",
    fmt="discord",
    victim="bluejay_",
    offender="lily.luvs.games",
    start="2026-01-24 20:00",
    sextortion=True,
    msgs=[
        ("O", "hii do u wanna duo? ur rank is so impressive", ["contact", "flattery"]),
        ("V", "sure lol"),
        ("O", "snapchat username: lilyluvs.g add meee", ["platform_move"]),
        ("V", "added u"),
        ("O", "can u send me a selfie on there? i wanna know who im playing with", ["image_request"]),
        ("V", "sent"),
        ("O", "now one without a shirt", ["image_request"]),
        ("V", "ok"),
        (
            "O",
            "thanks 😈 ur server and ur friends list r getting those unless u buy me razer gold. $80",
            ["threat", "demand"],
        ),
    ],
    indicators=[("snapchat_username", "lilyluvs.g", 2), ("amount", "USD:80", 8)],
)

# Snapchat, Indian-English-flavoured, threat first ("your morphed pics"), UPI-style and crypto.
case(
    "b10",
    id="b10-snap-01",
    fmt="snapchat",
    victim="kabir.s",
    offender="cyber.help.desk",
    start="2026-03-15 11:00",
    sextortion=True,
    msgs=[
        (
            "O",
            "Your private video is with me. I will share to your college group and your father's contacts",
            ["threat"],
        ),
        ("V", "what video?? who are you"),
        ("O", f"Pay 300 USDT on TRC20 {mc.TRON_2} within 1 hour to delete", ["demand"]),
        ("V", "I am blocking you"),
        ("O", "Block and see what happens. Video will be viral", ["threat"]),
    ],
    indicators=[("tron_address", mc.TRON_2, 2)],
)

# Messenger, a young woman targeted by a fake man for more images, threatens to tag her.
case(
    "b10",
    id="b10-msgr-01",
    fmt="messenger",
    victim="Sophie Turner",
    offender="Ryan Cole",
    start="2026-06-28 22:30",
    owner="sophieturner",
    tz=0,
    sextortion=True,
    msgs=[
        (
            "O",
            "Hey Sophie, I'm Ryan, saw you at Mode on Saturday, you looked amazing",
            ["contact", "flattery"],
        ),
        ("V", "Oh hi! Thanks"),
        ("O", "Any chance of a pic in that dress? 😍", ["image_request"]),
        ("V", "[photo]"),
        ("O", "Stunning. Something a bit more for me now?", ["image_request"]),
        ("V", "No I'm not doing that"),
        (
            "O",
            "You will, or I tag your whole friends list in this one with some nice captions",
            ["image_request", "threat"],
        ),
        ("V", "I'm showing this to my brother"),
    ],
    indicators=[],
)

# Skype, "hot girl" cams, Western Union MTCN with spaces, then a second demand "for my lawyer".
case(
    "b10",
    id="b10-skype-01",
    fmt="skype",
    victim="Ian Fletcher",
    offender="Angelina",
    owner_id="live:ian.fletcher.62",
    start="2026-02-03 23:00",
    sextortion=True,
    msgs=[
        ("O", "hello dear Ian, I'm new here from Ukraine, you have beautiful eyes", ["contact", "flattery"]),
        ("V", "Hello Angelina"),
        ("O", "we can open cameras? I am bored alone", ["image_request"]),
        ("V", "OK"),
        ("*", ""),
        (
            "O",
            "Ian I saved everything on my PC. I will put the video on youtube and send link to your friends on facebook",
            ["threat"],
        ),
        ("O", "or send $700 by western union, name Oleksandr Petrenko, Kyiv", ["threat", "demand"]),
        ("V", "Sent. MTCN 501 284 9376", ["payment"]),
        (
            "O",
            "Thank you. Now $400 for my lawyer to delete from youtube",
            ["payment", "demand", "escalation"],
        ),
    ],
    indicators=[("wu_mtcn", "5012849376", 6), ("amount", "USD:700", 5), ("amount", "USD:400", 7)],
)

# Plain text, pasted from a dating app, e-mail written in words, PayPal.
case(
    "b10",
    id="b10-plain-01",
    fmt="plain",
    victim="Me",
    offender="Jess",
    header="messages from the dating app, pasted",
    start="2026-10-14 21:00",
    sextortion=True,
    msgs=[
        ("O", "hey! love your profile, your smile is everything 😍", ["contact", "flattery"]),
        ("V", "thanks! yours too"),
        ("O", "i don't use this app much, text me on whatsapp? 07700 900 288", ["platform_move"]),
        ("V", "sure"),
        (
            "O",
            "that was a fun call 😉 I've got it all recorded, and your work's on your linkedin",
            ["threat"],
        ),
        (
            "O",
            "£600 on paypal to jess underscore pay99 at example dot com, or your colleagues get the video",
            ["threat", "demand"],
        ),
    ],
    indicators=[
        ("phone", "+447700900288", 2),
        ("email", "jess_pay99@example.com", 5),
        ("amount", "GBP:600", 5),
    ],
)

# ---- hard negatives ----

# Teenage friends on Snapchat: a dare, "send it or I'll tell", no money, joking.
case(
    "b10",
    id="b10-snap-h01",
    fmt="snapchat",
    victim="ruby.k",
    offender=None,
    other="lolaa.m",
    start="2026-04-04 17:00",
    sextortion=False,
    msgs=[
        ("O", "send me a pic of ur hair i need to see the new colour"),
        ("V", ""),
        ("O", "OMG ur gorgeous i'm screaming"),
        ("V", "stoppp"),
        ("O", "if u dont come to mine friday i'm posting ur year 7 photo on my story 😂"),
        ("V", "ok ok i'm coming"),
    ],
    indicators=[],
)

# Parent and child on WhatsApp iOS: a gift card for a birthday and a reminder about screen time.
case(
    "b10",
    id="b10-wa-ios-h01",
    fmt="wa_ios",
    victim="Ethan",
    offender=None,
    other="Dad",
    chat_name="Dad",
    start="2026-07-07 09:00",
    sextortion=False,
    msgs=[
        ("*", ENC),
        ("O", "Happy birthday mate! Here's your steam card: 8KQ2M-T7XPL-4ZW9R"),
        ("V", "thanks dad!!"),
        ("O", "£50 on it. If your grades slip the xbox goes in the loft 😂"),
        ("V", "they won't"),
    ],
    indicators=[("gift_card", "steam:8KQ2MT7XPL4ZW9R", 0), ("amount", "GBP:50", 2)],
)

# A romance scam (not sextortion) on Telegram: "my package is stuck at customs", bank transfer.
case(
    "b10",
    id="b10-tg-h01",
    fmt="telegram",
    victim="Carol",
    offender=None,
    other="Dr Michael Hart",
    start="2026-03-01 08:30",
    sextortion=False,
    msgs=[
        ("O", "Good morning my queen, you are the most beautiful woman I ever met"),
        ("V", "Morning Michael x"),
        ("O", "My package with the gold is stuck at customs, they need £2,500 fee. Please help me my love"),
        ("O", "Sort code 40-47-84 account 31926819, name Global Shipping Ltd"),
        ("V", "My son says this is a scam. I'm not sending anything."),
    ],
    indicators=[("uk_bank_account", "404784-31926819", 3), ("amount", "GBP:2500", 2)],
)

# Discord group of friends: a "hostage" meme, "pay me 5 robux or the cat gets it".
case(
    "b10",
    id="b10-discord-h01",
    fmt="discord",
    victim="wafflez",
    offender=None,
    other="pancake.king",
    start="2026-08-20 19:00",
    sextortion=False,
    msgs=[
        ("O", "i have ur minecraft dog hostage 🐶 pay me 5 robux or he gets it"),
        ("V", "NOT BISCUIT"),
        ("O", "lmao jk. also u look sick in ur new skin"),
        ("V", "ty, add me on insta wafflez.irl"),
        ("O", "followed"),
    ],
    indicators=[("instagram_username", "wafflez.irl", 3)],
)

# Messenger: a sale of concert tickets with a PayPal e-mail, the buyer asks for a photo of the tickets.
case(
    "b10",
    id="b10-msgr-h01",
    fmt="messenger",
    victim="Nina Park",
    offender=None,
    other="Tom Reid",
    start="2026-05-05 12:00",
    owner="ninapark",
    tz=0,
    sextortion=False,
    msgs=[
        ("O", "Hi, are the 2 tickets still available?"),
        ("V", "Yes, £90 for both"),
        ("O", "Great, can you send a photo of them first?"),
        ("V", "[photo]"),
        ("O", "Perfect, sending now to your paypal, what's the email?"),
        ("V", "nina.park.tix@example.com"),
        ("O", "Sent! Thanks"),
    ],
    indicators=[("email", "nina.park.tix@example.com", 5), ("amount", "GBP:90", 1)],
)


# =============================================================================================
# Batch 11 (written after the changes made for b10; scored at the final commit of issue 19's work)
# =============================================================================================

# Instagram UK, fake "Lauren", Snapchat given as "sc 👉", a bank transfer with "acc num", victim pays then refuses.
case(
    "b11",
    id="b11-ig-01",
    fmt="instagram",
    victim="sam.t.04",
    offender="lauren 🦋",
    start="2026-12-02 21:10",
    owner="sam.t.04",
    tz=0,
    sextortion=True,
    msgs=[
        ("O", "hiya! ur friends with jess m right? 🙂", ["contact"]),
        ("V", "yeah why"),
        ("O", "she said ur sound, and ur cute in ur pics ngl", ["flattery"]),
        ("V", "ah thanks"),
        ("O", "sc 👉 lauren.xo07 i never check insta", ["platform_move"]),
        ("V", "ok"),
        ("O", "send a cheeky pic and i'll send one back 😉", ["image_request"]),
        ("V", "[photo]"),
        (
            "O",
            "thanks for that. ur mum, ur brother and ur whole school are getting it unless u transfer £300",
            ["threat", "demand"],
        ),
        ("O", "sort code 11-09-42 acc num 60512837", ["demand"]),
        ("V", "ive sent 50", ["payment"]),
        ("O", "got it. the other 250 by tomorrow", ["payment", "demand"]),
        ("V", "no im not sending anymore, ive told my mum"),
    ],
    indicators=[
        ("snapchat_username", "lauren.xo07", 4),
        ("uk_bank_account", "110942-60512837", 9),
        ("amount", "GBP:300", 8),
    ],
)

# WhatsApp Android UK, Nigerian-English-flavoured offender, threat after a video call, bank + e-mail.
case(
    "b11",
    id="b11-wa-gb-01",
    fmt="wa_android_gb",
    victim="Daniel",
    offender="+44 7700 900127",
    other_raw="\u202a+44 7700 900127\u202c",
    start="2026-11-11 23:05",
    sextortion=True,
    msgs=[
        ("*", ENC),
        (
            "O",
            "Hello dear, na Blessing. I see your profile for facebook dating, you fine well well",
            ["contact", "flattery"],
        ),
        ("V", "hi Blessing"),
        ("O", "Make we do video chat, i wan see you", ["image_request"]),
        ("V", "ok"),
        (
            "O",
            "See the video wey i record. If you no pay, your wife and your colleagues go see am",
            ["threat", "demand"],
        ),
        ("O", "Send £800 now. Receipt go my email blessing dot ok at example dot com", ["demand"]),
        ("V", "I'm calling the police"),
        ("O", "Call them. E no go stop me", ["threat"]),
    ],
    indicators=[("email", "blessing.ok@example.com", 5), ("amount", "GBP:800", 5)],
)

# Snapchat US teen, threat with the school and a cashtag, escalation after a missed deadline.
case(
    "b11",
    id="b11-snap-01",
    fmt="snapchat",
    victim="tyler.j09",
    offender="maddie.vibes3",
    start="2026-10-10 22:40",
    sextortion=True,
    msgs=[
        ("O", "hey u showed up on my quick add, u seem cool 😊", ["contact", "flattery"]),
        ("V", "hey"),
        ("O", "ur honestly so cute omg. r u single?", ["flattery"]),
        ("V", "yea"),
        ("O", "show me what ur working with 😏 ill show u mine", ["image_request"]),
        ("V", ""),
        (
            "O",
            "i screenshotted it. i know u go to jefferson high and i have ur followers. $200 cashapp $maddiev3 in 1 hr or i post it",
            ["threat", "demand"],
        ),
        ("V", "i cant"),
        (
            "O",
            "times up. now its $400 and i'm sending it to ur mom first",
            ["demand", "escalation", "threat"],
        ),
    ],
    indicators=[("cashapp_cashtag", "maddiev3", 6), ("amount", "USD:200", 6), ("amount", "USD:400", 8)],
)

# Discord, asks to move to Telegram, USDT TRC20, victim says he wants to end it.
case(
    "b11",
    id="b11-discord-01",
    fmt="discord",
    victim="kairo",
    offender="ana.bella",
    start="2026-07-03 00:30",
    sextortion=True,
    msgs=[
        ("O", "hey!! i saw ur clips in the apex server, ur so good", ["contact", "flattery"]),
        ("V", "thanks lol"),
        ("O", "add my telegram @ana_bella_tg, discord is dead", ["platform_move"]),
        ("V", "ok"),
        ("O", "we should cam later 🙈", ["image_request"]),
        ("V", "sure"),
        (
            "O",
            f"i have the recording. all ur discord friends get it unless u send 100 USDT to {mc.TRON_1}",
            ["threat", "demand"],
        ),
        ("V", "i'm going to end it all", ["self_harm"]),
    ],
    indicators=[("telegram_username", "ana_bella_tg", 2), ("tron_address", mc.TRON_1, 6)],
)

# Telegram, US, gift cards, backup account.
case(
    "b11",
    id="b11-tg-01",
    fmt="telegram",
    victim="Eli",
    offender="Chloe",
    start="2026-02-14 20:20",
    tz=-5,
    sextortion=True,
    msgs=[
        ("O", "hey eli! found u through the gaming group 😊 ur super cute", ["contact", "flattery"]),
        ("V", "haha hi"),
        ("O", "send a selfie? i wanna see u rn", ["image_request"]),
        ("V", ""),
        ("O", "and one without ur shirt 😳", ["image_request"]),
        ("V", ""),
        (
            "O",
            "ok so now i'll send these to ur family and friends on insta unless u get me $200 in amazon cards",
            ["threat", "demand"],
        ),
        ("V", "please no"),
        (
            "O",
            "u have an hour. and if u block me i have @chloe_backup99",
            ["demand", "platform_move", "threat"],
        ),
    ],
    indicators=[("telegram_username", "chloe_backup99", 8), ("amount", "USD:200", 6)],
)

# Plain text, threat first from a number, IBAN, victim refuses.
case(
    "b11",
    id="b11-plain-01",
    fmt="plain",
    victim="Me",
    offender="+44 7700 900372",
    header="texts from an unknown number",
    start="2026-08-08 06:00",
    sextortion=True,
    msgs=[
        ("O", "I've got the pics you sent on tinder. Your family will see them today.", ["threat"]),
        ("O", f"Pay €250 to {mc.IBAN_FR} by noon", ["demand"]),
        ("V", "No. Reported."),
    ],
    indicators=[("iban", mc.IBAN_FR, 1), ("amount", "EUR:250", 1)],
)

# ---- hard negatives ----

# Siblings on WhatsApp iOS: "pay me or I tell mum", a tenner, no images.
case(
    "b11",
    id="b11-wa-ios-h01",
    fmt="wa_ios",
    victim="Freya",
    offender=None,
    other="Alfie",
    chat_name="Alfie",
    start="2026-06-06 16:00",
    sextortion=False,
    msgs=[
        ("*", ENC),
        ("O", "i saw u sneak out last night 👀"),
        ("V", "shut up"),
        ("O", "£10 and i'll forget it lol"),
        ("V", "i'll give u a fiver and not a penny more"),
        ("O", "deal"),
    ],
    indicators=[("amount", "GBP:10", 2)],
)

# Instagram: a model scout asks for "polaroids" (a legit agency, business).
case(
    "b11",
    id="b11-ig-h01",
    fmt="instagram",
    victim="jade.rose.m",
    offender=None,
    other="North Models Scouting",
    start="2026-04-20 10:00",
    owner="jade.rose.m",
    tz=0,
    sextortion=False,
    msgs=[
        ("O", "Hi Jade, we're a licensed model agency in Manchester. You have a great look!"),
        ("V", "Oh wow, thank you"),
        (
            "O",
            "If you're interested, please come to our open day with a parent. Details on our website and our contract is reviewed by a lawyer",
        ),
        ("V", "I'll ask my mum"),
    ],
    indicators=[],
)

# Telegram: friends splitting a festival, "send it or you're out", sort code.
case(
    "b11",
    id="b11-tg-h01",
    fmt="telegram",
    victim="Zain",
    offender=None,
    other="Harvey",
    start="2026-03-03 19:00",
    sextortion=False,
    msgs=[
        ("O", "bro send the £95 for the festival ticket or ur out the group 😂"),
        ("V", "send me the details"),
        ("O", "20-98-44 51382765"),
        ("V", "sent"),
        ("O", "legend"),
    ],
    indicators=[("uk_bank_account", "209844-51382765", 2), ("amount", "GBP:95", 0)],
)

# Discord: a commission artist and a client, "send me a pic of your character".
case(
    "b11",
    id="b11-discord-h01",
    fmt="discord",
    victim="inkwell",
    offender=None,
    other="oc.lover",
    start="2026-09-09 18:00",
    sextortion=False,
    msgs=[
        ("O", "ur art is gorgeous!! do u take commissions?"),
        ("V", "yes! send me a pic of your character"),
        ("O", ""),
        ("V", "love her. $40, paypal.me/inkwellart"),
        ("O", "sent!"),
    ],
    indicators=[("paypal_me", "inkwellart", 3), ("amount", "USD:40", 3)],
)

# Snapchat: a boyfriend asks for a selfie and calls; a fight with "I'll tell everyone you cheated" (no images, no money).
case(
    "b11",
    id="b11-snap-h01",
    fmt="snapchat",
    victim="ella.w",
    offender=None,
    other="jordan.k",
    start="2026-05-25 21:00",
    sextortion=False,
    msgs=[
        ("O", "babe send me a selfie i miss u"),
        ("V", ""),
        ("O", "so pretty. facetime later?"),
        ("V", "can't tonight, at jess's"),
        ("O", "u always say that. if ur lying i'll find out"),
        ("V", "i'm not lying, call u tomorrow ❤️"),
    ],
    indicators=[],
)


# =============================================================================================
# Batch 12 (written after the changes made for b11; first scored at the final commit, no change made for it)
# =============================================================================================

# Messenger UK, "Holly", quick, Amazon voucher code, escalation "my mate wants his cut".
case(
    "b12",
    id="b12-msgr-01",
    fmt="messenger",
    victim="Connor Walsh",
    offender="Holly Jenkins",
    start="2026-11-28 22:15",
    owner="connorwalsh",
    tz=0,
    sextortion=True,
    msgs=[
        (
            "O",
            "hey connor! random but ur on my people u may know and ur rly good looking 🙈",
            ["contact", "flattery"],
        ),
        ("V", "haha hiya"),
        ("O", "r u on snap? mine's hollyj.x2", ["platform_move"]),
        ("V", "yeah adding now"),
        ("O", "send me a pic when u do, no face needed 😉", ["image_request"]),
        ("V", "[photo]"),
        (
            "O",
            "got it. and i've got a screenshot of ur friends list. £150 amazon voucher or i share it with every single one",
            ["threat", "demand"],
        ),
        ("V", "ok ok the code is AQ4M-7TZKPL-9XRW", ["payment"]),
        ("O", "my mate wants his cut too. another £150 by tonight", ["demand", "escalation"]),
    ],
    indicators=[
        ("snapchat_username", "hollyj.x2", 2),
        ("gift_card", "amazon:AQ4M7TZKPL9XRW", 7),
        ("amount", "GBP:150", 6),
    ],
)

# WhatsApp US, threat first from an unknown number, Bitcoin ATM, victim says he'll hurt himself.
case(
    "b12",
    id="b12-wa-us-01",
    fmt="wa_android_us",
    victim="Marcus",
    offender="+1 312-555-0162",
    other_raw="\u202a+1 312-555-0162\u202c",
    start="2026-09-05 06:40",
    sextortion=True,
    msgs=[
        ("*", ENC),
        (
            "O",
            "Marcus. I have the video from your call with Jenna. Your coach and your teammates are next",
            ["threat"],
        ),
        ("V", "who is this"),
        ("O", f"$600 in bitcoin to {mc.BTC_BECH32_2}. Use the ATM at the gas station", ["demand"]),
        ("V", "i swear i'll hurt myself if this gets out", ["self_harm"]),
        ("O", "then pay", ["demand"]),
    ],
    indicators=[("btc_address", mc.BTC_BECH32_2, 2), ("amount", "USD:600", 2)],
)

# Telegram, Indian-English-flavoured, "video call", PayPal e-mail in brackets, victim pays twice.
case(
    "b12",
    id="b12-tg-01",
    fmt="telegram",
    victim="Vikram",
    offender="Neha",
    start="2026-04-04 23:15",
    tz=5,
    sextortion=True,
    msgs=[
        ("O", "Hello ji, you are looking so handsome in DP. Shall we be friends?", ["contact", "flattery"]),
        ("V", "Sure"),
        ("O", "Come video call, I am getting bored alone in hostel", ["image_request"]),
        ("V", "ok"),
        ("O", "I have recorded your video. I will send to your relatives and office group", ["threat"]),
        ("O", "Send $100 to my PayPal neha.k.pay [at] example [dot] com", ["demand"]),
        ("V", "Paid 100 dollars please delete", ["payment"]),
        (
            "O",
            "Received. Send $200 more for deleting from my friend's phone also",
            ["payment", "demand", "escalation"],
        ),
    ],
    indicators=[("email", "neha.k.pay@example.com", 5), ("amount", "USD:100", 5), ("amount", "USD:200", 7)],
)

# Instagram US, a fake girl asks for the victim's snap, threat via a collage, Cash App.
case(
    "b12",
    id="b12-ig-01",
    fmt="instagram",
    victim="jaden.hoops",
    offender="kenzie ✨",
    start="2026-06-14 21:50",
    owner="jaden.hoops",
    tz=-5,
    sextortion=True,
    msgs=[
        ("O", "hiii u go to eastside right? i think i saw u at the game", ["contact"]),
        ("V", "yeah lol"),
        ("O", "ur honestly so fine 😍 whats ur snap", ["flattery", "platform_move"]),
        ("V", "jaden.h23"),
        ("O", "ok i added u, send me something there 😏", ["image_request"]),
        ("V", "done"),
        (
            "O",
            "i made a collage of ur pic with ur followers. it goes to all of them unless u send $250 to $kenzpay",
            ["threat", "demand"],
        ),
    ],
    indicators=[
        ("snapchat_username", "jaden.h23", 3),
        ("cashapp_cashtag", "kenzpay", 6),
        ("amount", "USD:250", 6),
    ],
)

# ---- hard negatives ----

# A couple on WhatsApp UK: "send me a pic", "I'll post this", a bank transfer for a holiday.
case(
    "b12",
    id="b12-wa-gb-h01",
    fmt="wa_android_gb",
    victim="Katie",
    offender=None,
    other="Liam 💙",
    other_raw="Liam 💙",
    start="2026-02-20 19:30",
    sextortion=False,
    msgs=[
        ("*", ENC),
        ("O", "how's the new job babe? send me a pic of ur desk"),
        ("V", "<Media omitted>"),
        ("O", "fancy. transfer me ur half of the cottage, 20-45-77 83920174 😘"),
        ("V", "done x"),
        ("O", "if u beat me at mario kart again i'm posting that photo of u with the traffic cone"),
    ],
    indicators=[("uk_bank_account", "204577-83920174", 2)],
)

# Discord: a scam "Nitro" giveaway (not sextortion).
case(
    "b12",
    id="b12-discord-h01",
    fmt="discord",
    victim="mossy",
    offender=None,
    other="nitro.gifts",
    start="2026-07-30 15:00",
    sextortion=False,
    msgs=[
        ("O", "congrats! you won free nitro, just pay $4.99 shipping to claim"),
        ("V", "nitro doesn't need shipping lol"),
        ("O", "pay with a steam card and send the code here"),
        ("V", "reported"),
    ],
    indicators=[("amount", "USD:4.99", 0)],
)

# Friends on Snapchat: "I have ur screenshots", a joke about leaking the group chat.
case(
    "b12",
    id="b12-snap-h01",
    fmt="snapchat",
    victim="noor.h",
    offender=None,
    other="bella.t",
    start="2026-10-01 20:00",
    sextortion=False,
    msgs=[
        ("O", "i have screenshots of everything u said about mr davies 💀"),
        ("V", "delete them or ur dead"),
        ("O", "lmao buy me a meal deal and they're gone"),
        ("V", "fine tomorrow"),
    ],
    indicators=[],
)


# ---------------------------------------------------------------------------------------------


def build(batch: str, c: dict[str, Any]) -> None:
    """Write one case's export and labels.json into its batch folder (as make_corpus.build does)."""
    d = HERE / batch / c["id"]
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    fmt, render, hint = mc.FORMATS[c["fmt"]]
    if c["fmt"] == "email":
        c["msgs"] = [("O", c["body"], c["body_stages"])]
    export = render(c, d)
    messages = [m for m in c["msgs"] if m[0] != "*"]
    labelled = []
    for i, (who, text, *rest) in enumerate(messages):
        stages = rest[0] if rest else []
        if stages:
            labelled.append(
                {
                    "i": i,
                    "sender": mc._name(c, who),
                    "text_starts": text.replace("\u200e", "")[:14],
                    "stages": stages,
                }
            )
    threats = [m["i"] for m in labelled if "threat" in m["stages"]]
    inds = []
    for kind, value, first_i in c["indicators"]:
        inds.append({"kind": kind, "value": value, "first_i": first_i})
        core = mc._core(value.split(":", 1)[1] if kind in ("gift_card", "amount") else value)
        if kind == "phone":
            core = core[-9:]
        if kind not in ("amount", "email", "snapchat_username", "uk_bank_account") and core not in mc._core(
            messages[first_i][1]
        ):
            print(f"{c['id']}: {kind} {value} not found in message {first_i}: {messages[first_i][1][:50]!r}")
    labels = {
        "case": c["id"],
        "format": fmt,
        "export": export,
        "locale_hint": {**hint, "utc_offset": f"{c.get('tz', 0):+03d}:00"},
        "victim": c["victim"],
        "offender": c["offender"],
        "is_sextortion": c["sextortion"],
        "messages": labelled,
        "indicators": inds,
        "first_threat_i": threats[0] if threats else None,
    }
    if not c["sextortion"]:
        assert not labelled or all(m["stages"] == ["self_harm"] for m in labelled), c["id"]
    (d / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=2) + "\n", "utf-8")


def main() -> None:
    for batch, cases in sorted(BATCHES.items()):
        for c in cases:
            build(batch, c)
        print(f"{batch}: {len(cases)} cases, {sum(not c['sextortion'] for c in cases)} benign")


if __name__ == "__main__":
    main()
