"""WhatsApp's own words in the languages of its largest locales: notices, encryption banner, media markers.

Data only (the WhatsApp importer builds its patterns from these tables). Each entry is what WhatsApp
writes in an export in that language; where WhatsApp has changed its wording over the years, each
version is listed. Matching is case-insensitive.
"""

from __future__ import annotations

# The encryption banner, by its first sentence (what follows varies: "Tap to learn more", "Learn more").
ENCRYPTION_BANNER: dict[str, tuple[str, ...]] = {
    "en": (
        "Messages and calls are end-to-end encrypted",
        "Messages to this chat and calls are now secured with end-to-end encryption",
        "Messages to this group are now secured with end-to-end encryption",
        "Messages you send to this chat and calls are now secured with end-to-end encryption",
        "Messages you send to this group are now secured with end-to-end encryption",
    ),
    "es": (
        "Los mensajes y las llamadas están cifrados de extremo a extremo",
        "Los mensajes y las llamadas en este chat ahora están protegidos con cifrado de extremo a extremo",
        "Los mensajes que envíes a este chat y las llamadas ahora están protegidos con cifrado",
        "Los mensajes que envíes a este grupo ahora están protegidos con cifrado",
    ),
    "pt": (
        "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
        "As mensagens e chamadas são protegidas com a criptografia de ponta a ponta",
        "As mensagens e as chamadas estão encriptadas ponta-a-ponta",
        "As mensagens e as chamadas são encriptadas ponta a ponta",
        "As mensagens enviadas para esta conversa e as chamadas estão agora protegidas",
        "As mensagens enviadas a este grupo estão agora protegidas",
    ),
    "de": (
        "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
        "Nachrichten an diesen Chat sowie Anrufe sind jetzt mit Ende-zu-Ende-Verschlüsselung geschützt",
        "Nachrichten, die du in diesem Chat sendest, sowie Anrufe sind jetzt mit "
        "Ende-zu-Ende-Verschlüsselung geschützt",
        "Nachrichten, die du an diese Gruppe sendest, sind jetzt mit Ende-zu-Ende-Verschlüsselung",
    ),
    "fr": (
        "Les messages et les appels sont chiffrés de bout en bout",
        "Les messages envoyés dans cette discussion et les appels sont désormais protégés",
        "Les messages envoyés dans ce groupe sont désormais protégés",
    ),
    "it": (
        "I messaggi e le chiamate sono crittografati end-to-end",
        "I messaggi inviati in questa chat e le chiamate sono ora protetti con la crittografia end-to-end",
        "I messaggi inviati a questo gruppo sono ora protetti con la crittografia end-to-end",
    ),
    "nl": (
        "Berichten en oproepen worden end-to-end versleuteld",
        "Berichten en gesprekken worden end-to-end versleuteld",
        "Berichten die je naar deze chat stuurt en gesprekken worden nu beveiligd met "
        "end-to-end-versleuteling",
        "Berichten die je naar deze groep stuurt, worden nu beveiligd met end-to-end-versleuteling",
    ),
    "pl": (
        "Wiadomości i połączenia są szyfrowane end-to-end",
        "Wiadomości wysyłane na tym czacie oraz połączenia są teraz zabezpieczone szyfrowaniem end-to-end",
        "Wiadomości wysyłane do tej grupy są teraz zabezpieczone szyfrowaniem end-to-end",
    ),
    "tr": (
        "Mesajlar ve aramalar uçtan uca şifrelidir",
        "Bu sohbete gönderdiğiniz mesajlar ve aramalar artık uçtan uca şifreleme ile korunuyor",
        "Bu gruba gönderdiğiniz mesajlar artık uçtan uca şifreleme ile korunuyor",
    ),
    "id": (
        "Pesan dan panggilan terenkripsi secara end-to-end",
        "Pesan yang Anda kirim ke chat ini dan panggilan kini diamankan dengan enkripsi end-to-end",
        "Pesan yang Anda kirim ke grup ini kini diamankan dengan enkripsi end-to-end",
    ),
    "ru": (
        "Сообщения и звонки защищены сквозным шифрованием",
        "Сообщения в этом чате и звонки теперь защищены сквозным шифрованием",
        "Сообщения, которые вы отправляете в эту группу, теперь защищены сквозным шифрованием",
    ),
    "ar": (
        "الرسائل والمكالمات مشفرة تمامًا بين الطرفين",
        "الرسائل والمكالمات مشفّرة تمامًا بين الطرفين",
        "الرسائل المرسلة إلى هذه الدردشة والمكالمات محمية الآن بالتشفير التام بين الطرفين",
        "الرسائل التي ترسلها إلى هذه المجموعة محمية الآن بالتشفير التام بين الطرفين",
    ),
    "hi": (
        "मैसेज और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं",
        "संदेश और कॉल एंड-टू-एंड एन्क्रिप्टेड हैं",
        "इस चैट में भेजे गए मैसेज और कॉल अब एंड-टू-एंड एन्क्रिप्शन से सुरक्षित हैं",
    ),
    "fi": (
        "Viestit ja puhelut ovat päästä päähän salattuja",
        "Tähän keskusteluun lähettämäsi viestit ja puhelut on nyt suojattu päästä päähän -salauksella",
        "Tähän ryhmään lähettämäsi viestit on nyt suojattu päästä päähän -salauksella",
    ),
    "hr": (
        "Poruke i pozivi sveobuhvatno su šifrirani",
        "Poruke i pozivi su sveobuhvatno šifrirani",
        "Poruke koje šaljete u ovaj razgovor i pozivi sada su zaštićeni sveobuhvatnim šifriranjem",
        "Poruke koje šaljete u ovu grupu sada su zaštićene sveobuhvatnim šifriranjem",
    ),
}

# Android's placeholder for media left out of an export without media ("<Media omitted>").
MEDIA_OMITTED: dict[str, tuple[str, ...]] = {
    "en": ("<Media omitted>",),
    "es": ("<Multimedia omitido>", "<Archivo omitido>"),
    "pt": (
        "<Mídia oculta>",
        "<Arquivo de mídia oculto>",
        "<Ficheiro multimédia omitido>",
        "<Multimédia omitido>",
    ),
    "de": ("<Medien ausgeschlossen>", "<Medien ausgelassen>", "<Medien weggelassen>"),
    "fr": ("<Médias omis>", "<Fichier omis>"),
    "it": ("<Media omessi>", "<Media omesso>"),
    "nl": ("<Media weggelaten>",),
    "pl": ("<Pominięto multimedia>", "<Multimedia pominięte>"),
    "tr": ("<Medya dahil edilmedi>", "<Medya atlandı>"),
    "id": ("<Media tidak disertakan>", "<Media dihilangkan>"),
    "ru": ("<Без медиафайлов>", "<Медиафайл отсутствует>", "<Медиа отсутствуют>"),
    "ar": ("<تم استبعاد الوسائط>", "<الوسائط غير مضمنة>", "<تم حذف الوسائط>"),
    "hi": ("<मीडिया के बिना>", "<मीडिया हटा दिया गया>", "<मीडिया छोड़ा गया>"),
    "fi": ("<Media jätetty pois>", "<Mediaa ei sisällytetty>"),
    "hr": ("<Medijski zapis izostavljen>", "<Mediji izostavljeni>"),
}

# A word every language's "<... omitted>" placeholder holds: an unknown wording is still known as media.
MEDIA_WORDS: tuple[str, ...] = (
    "media", "medien", "médias", "mídia", "multimedia", "multimédia", "medya", "медиа", "الوسائط",
    "मीडिया", "medij", "mediaa",
)  # fmt: skip

# iOS: "image omitted", one per kind of media.
MEDIA_KIND_OMITTED: dict[str, tuple[str, ...]] = {
    "en": ("image omitted", "video omitted", "audio omitted", "sticker omitted", "GIF omitted",
           "document omitted", "Contact card omitted", "photo omitted"),
    "es": ("imagen omitida", "video omitido", "audio omitido", "sticker omitido", "GIF omitido",
           "documento omitido", "tarjeta de contacto omitida"),
    "pt": ("imagem ocultada", "vídeo omitido", "áudio ocultado", "figurinha omitida", "GIF omitido",
           "documento omitido", "imagem omitida", "áudio omitido"),
    "de": ("Bild weggelassen", "Video weggelassen", "Audio weggelassen", "Sticker weggelassen",
           "GIF weggelassen", "Dokument weggelassen", "Kontaktkarte ausgelassen"),
    "fr": ("image omise", "vidéo omise", "audio omis", "autocollant omis", "GIF omis", "document omis"),
    "it": ("immagine omessa", "video omesso", "audio omesso", "sticker omesso", "GIF omessa",
           "documento omesso"),
    "nl": ("afbeelding weggelaten", "video weggelaten", "audio weggelaten", "sticker weggelaten",
           "GIF weggelaten", "document weggelaten"),
    "pl": ("pominięto obraz", "pominięto wideo", "pominięto dźwięk", "pominięto naklejkę"),
    "tr": ("görüntü dahil edilmedi", "video dahil edilmedi", "ses dahil edilmedi", "çıkartma dahil edilmedi"),
    "id": ("gambar tidak disertakan", "video tidak disertakan", "audio tidak disertakan",
           "stiker tidak disertakan"),
    "ru": ("изображение отсутствует", "видео отсутствует", "аудио отсутствует", "стикер отсутствует"),
    "ar": ("تم استبعاد الصورة", "تم استبعاد الفيديو", "تم استبعاد الصوت", "تم استبعاد الملصق"),
    "hi": ("छवि हटा दी गई", "वीडियो हटा दिया गया", "ऑडियो हटा दिया गया"),
    "fi": ("kuva jätetty pois", "video jätetty pois", "ääni jätetty pois", "tarra jätetty pois"),
    "hr": ("slika izostavljena", "videozapis izostavljen", "audiozapis izostavljen"),
}  # fmt: skip

# Android: "IMG-20260409-WA0003.jpg (file attached)".
FILE_ATTACHED: dict[str, tuple[str, ...]] = {
    "en": ("file attached",),
    "es": ("archivo adjunto",),
    "pt": ("arquivo anexado", "ficheiro anexado"),
    "de": ("Datei angehängt",),
    "fr": ("fichier joint",),
    "it": ("file allegato",),
    "nl": ("bestand bijgevoegd",),
    "pl": ("załączono plik", "plik załączony"),
    "tr": ("dosya ekli", "dosya eklendi"),
    "id": ("file terlampir",),
    "ru": ("файл прикреплен", "файл прикреплён"),
    "ar": ("ملف مرفق",),
    "hi": ("फ़ाइल संलग्न", "फ़ाइल अटैच की गई"),
    "fi": ("tiedosto liitetty",),
    "hr": ("datoteka priložena", "privitak"),
}

# iOS: "<attached: 00000012-PHOTO-2026-04-09-19-12-00.jpg>".
ATTACHED_IOS: tuple[str, ...] = (
    "attached", "angehängt", "adjunto", "pièce jointe", "allegato", "anexado", "bijgevoegd", "załącznik",
    "eklendi", "terlampir", "прикреплено", "مرفق", "संलग्न", "liitetty", "priloženo",
)  # fmt: skip

DELETED: dict[str, tuple[str, ...]] = {
    "en": ("This message was deleted", "You deleted this message"),
    "es": ("Se eliminó este mensaje", "Eliminaste este mensaje"),
    "pt": (
        "Esta mensagem foi apagada",
        "Você apagou esta mensagem",
        "Apagou esta mensagem",
        "Mensagem apagada",
    ),
    "de": ("Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht"),
    "fr": ("Ce message a été supprimé", "Vous avez supprimé ce message"),
    "it": ("Questo messaggio è stato eliminato", "Hai eliminato questo messaggio"),
    "nl": ("Dit bericht is verwijderd", "Je hebt dit bericht verwijderd"),
    "pl": ("Ta wiadomość została usunięta", "Usunięto tę wiadomość", "Usunąłeś tę wiadomość"),
    "tr": ("Bu mesaj silindi", "Bu mesajı sildiniz"),
    "id": ("Pesan ini telah dihapus", "Anda menghapus pesan ini"),
    "ru": ("Данное сообщение удалено", "Это сообщение удалено", "Вы удалили данное сообщение"),
    "ar": ("تم حذف هذه الرسالة", "لقد حذفت هذه الرسالة"),
    "hi": ("यह मैसेज हटा दिया गया", "यह संदेश हटा दिया गया", "आपने यह मैसेज हटाया"),
    "fi": ("Tämä viesti poistettiin", "Poistit tämän viestin"),
    "hr": ("Ova poruka je izbrisana", "Izbrisali ste ovu poruku"),
}

# Written after an edited message's text: "... <This message was edited>".
EDITED: dict[str, tuple[str, ...]] = {
    "en": ("This message was edited",),
    "es": ("Se editó este mensaje.", "Se editó este mensaje"),
    "pt": ("Esta mensagem foi editada", "Mensagem editada"),
    "de": ("Diese Nachricht wurde bearbeitet",),
    "fr": ("Ce message a été modifié",),
    "it": ("Questo messaggio è stato modificato",),
    "nl": ("Dit bericht is bewerkt",),
    "pl": ("Edytowano tę wiadomość", "Ta wiadomość została edytowana"),
    "tr": ("Bu mesaj düzenlendi",),
    "id": ("Pesan ini telah diedit", "Pesan ini diedit"),
    "ru": ("Сообщение изменено", "Это сообщение было изменено"),
    "ar": ("تم تعديل هذه الرسالة",),
    "hi": ("यह मैसेज एडिट किया गया", "यह संदेश संपादित किया गया"),
    "fi": ("Tätä viestiä on muokattu",),
    "hr": ("Ova poruka je uređena",),
}

# "X created group ..." as regular expressions (".+" a person's or a group's name). A line whose whole text
# is one of these, under one of SYSTEM_NAMES that has sent no message before, is a notice (some exports and
# copies put such a name before it). Only the creation notice is read this way: "X added Y" could be
# something a person typed.
GROUP_CREATED: dict[str, tuple[str, ...]] = {
    "en": (r".+ created group .+", r".+ created this group"),
    "es": (r".+ creó el grupo .+", r".+ creó este grupo"),
    "pt": (r".+ criou o grupo .+", r".+ criou este grupo"),
    "de": (r".+ hat die Gruppe .*erstellt", r".+ hat diese Gruppe erstellt"),
    "fr": (r".+ a créé le groupe .+", r".+ a créé ce groupe"),
    "it": (r".+ ha creato il gruppo .+", r".+ ha creato questo gruppo"),
    "nl": (r".+ heeft (?:de )?groep .+ aangemaakt", r".+ heeft deze groep aangemaakt"),
    "pl": (r".+ utworzył(?:a|\(a\))? grupę .+", r".+ utworzył(?:a|\(a\))? tę grupę"),
    "tr": (r".+ grubunu oluşturdu", r".+ bu grubu oluşturdu"),
    "id": (r".+ membuat grup .+",),
    "ru": (r".+ создал(?:а|\(-а\))? группу .+",),
    "ar": (r".+ أنشأ المجموعة .+", r".+ أنشأ هذه المجموعة"),
    "hi": (r".+ ने (?:समूह|ग्रुप) .+ बनाया", r".+ ने यह (?:समूह|ग्रुप) बनाया"),
    "fi": (r".+ loi ryhmän .+", r".+ loi tämän ryhmän"),
    "hr": (r".+ je (?:stvorio|stvorila|stvorio/la) grupu .+",),
}

# Names some exports and copies put before WhatsApp's own notices (compared case-insensitively).
SYSTEM_NAMES: frozenset[str] = frozenset(
    {"system", "whatsapp", "sistema", "système", "systeem", "sistem", "система", "järjestelmä", "sustav"}
    | {"النظام"}
)
