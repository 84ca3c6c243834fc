"""Every plural message in each of the six languages for 0, 1, 2, 3, 11 and 100, compared
with what a reader of that language expects (issue #18 item 5).

Counts that can be zero on a page say so in words ("No view published yet"): the page
shows its zero message instead of the plural one (ZERO below, as the templates and views
do). The categories of each number are written out here for each language, after CLDR,
not read from the catalogs: a catalog whose plural rule or forms are in the wrong order
fails. No Arabic singular or dual is preceded by a digit."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from app.i18n import format_number

ROOT = Path(__file__).resolve().parent.parent
NUMBERS = (0, 1, 2, 3, 11, 100)
CATEGORY = {
    "en": ("other", "one", "other", "other", "other", "other"),
    "es": ("other", "one", "other", "other", "other", "other"),
    "fr": ("one", "one", "other", "other", "other", "other"),
    "ru": ("many", "one", "few", "few", "many", "many"),
    "zh": ("other",) * 6,
    "ar": ("zero", "one", "two", "few", "many", "other"),
}

# The message shown instead when the count is zero, per page or view.
ZERO = {
    "%(shown)s published view": "No view published yet",
    "%(shown)s view is published: accepted by the moderators, and its author agreed to its "
    "publication.": "No view has been published yet.",
    "%(shown)s view received": "No view received yet",
    "The published view and its tags, CSV (%(shown)s row)":
        "The published views and their tags, CSV (no view published yet: the file holds the "
        "column names)",
    "%(num)d API token revoked.": "This account had no API token to revoke.",
    "You claimed %(num)d submission.": "No submission was left to claim with these filters.",
    "You released %(num)d submission.": "You had no claimed submission to release.",
}

# {n}: the number as the page writes it. Arabic "zero" is only reached by messages with no
# zero message of their own (never shown with zero today, but kept readable).
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    # Attachments (issue #21): pages of a file, on the review page, the views of a code and
    # the published view; in the Word summary; the heading over a view's files; the size
    # of the text read from a file.
    "%(shown)s page": {
        "en": {"one": "{n} page", "other": "{n} pages"},
        "es": {"one": "{n} página", "other": "{n} páginas"},
        "fr": {"one": "{n} page", "other": "{n} pages"},
        "ru": {"one": "{n} страница", "few": "{n} страницы", "many": "{n} страниц"},
        "zh": {"other": "{n}页"},
        "ar": {"zero": "{n} صفحة", "one": "صفحة واحدة", "two": "صفحتان", "few": "{n} صفحات",
               "many": "{n} صفحةً", "other": "{n} صفحة"},
    },
    "(%(count)s page)": {
        "en": {"one": "({n} page)", "other": "({n} pages)"},
        "es": {"one": "({n} página)", "other": "({n} páginas)"},
        "fr": {"one": "({n} page)", "other": "({n} pages)"},
        "ru": {"one": "({n} страница)", "few": "({n} страницы)", "many": "({n} страниц)"},
        "zh": {"other": "（{n}页）"},
        "ar": {"zero": "({n} صفحة)", "one": "(صفحة واحدة)", "two": "(صفحتان)",
               "few": "({n} صفحات)", "many": "({n} صفحةً)", "other": "({n} صفحة)"},
    },
    "Attached file": {
        "en": {"one": "Attached file", "other": "Attached files"},
        "es": {"one": "Archivo adjunto", "other": "Archivos adjuntos"},
        "fr": {"one": "Fichier joint", "other": "Fichiers joints"},
        "ru": {"one": "Прикреплённый файл", "few": "Прикреплённые файлы",
               "many": "Прикреплённые файлы"},
        "zh": {"other": "附件"},
        "ar": {"zero": "الملفات المرفقة", "one": "الملف المرفق", "two": "الملفان المرفقان",
               "few": "الملفات المرفقة", "many": "الملفات المرفقة", "other": "الملفات المرفقة"},
    },
    "Text read from the file (%(shown)s character)": {
        "en": {"one": "Text read from the file ({n} character)",
               "other": "Text read from the file ({n} characters)"},
        "es": {"one": "Texto leído del archivo ({n} carácter)",
               "other": "Texto leído del archivo ({n} caracteres)"},
        "fr": {"one": "Texte lu dans le fichier ({n} caractère)",
               "other": "Texte lu dans le fichier ({n} caractères)"},
        "ru": {"one": "Текст из файла ({n} символ)", "few": "Текст из файла ({n} символа)",
               "many": "Текст из файла ({n} символов)"},
        "zh": {"other": "从文件中读取的文本（{n}个字符）"},
        "ar": {"zero": "النص المستخرج من الملف ({n} حرف)",
               "one": "النص المستخرج من الملف (حرف واحد)",
               "two": "النص المستخرج من الملف (حرفان)",
               "few": "النص المستخرج من الملف ({n} أحرف)",
               "many": "النص المستخرج من الملف ({n} حرفًا)",
               "other": "النص المستخرج من الملف ({n} حرف)"},
    },
    "%(count)s view": {
        "en": {"one": "{n} view", "other": "{n} views"},
        "es": {"one": "{n} opinión", "other": "{n} opiniones"},
        "fr": {"one": "{n} avis", "other": "{n} avis"},
        "ru": {"one": "{n} мнение", "few": "{n} мнения", "many": "{n} мнений"},
        "zh": {"other": "{n}条意见"},
        "ar": {"zero": "{n} رأي", "one": "رأي واحد", "two": "رأيان", "few": "{n} آراء",
               "many": "{n} رأيًا", "other": "{n} رأي"},
    },
    "%(num)d API token revoked.": {
        "en": {"one": "{n} API token revoked.", "other": "{n} API tokens revoked.",
               "zero": "This account had no API token to revoke."},
        "es": {"one": "Se ha revocado {n} token de API.",
               "other": "Se han revocado {n} tokens de API.",
               "zero": "Esta cuenta no tenía ningún token de API que revocar."},
        "fr": {"one": "{n} jeton d'API révoqué.", "other": "{n} jetons d'API révoqués.",
               "zero": "Ce compte n'avait aucun jeton d'API à révoquer."},
        "ru": {"one": "Отозван {n} токен API.", "few": "Отозвано {n} токена API.",
               "many": "Отозвано {n} токенов API.",
               "zero": "У этой учётной записи не было токенов API для отзыва."},
        "zh": {"other": "已吊销{n}个 API 令牌。", "zero": "该账户没有可吊销的 API 令牌。"},
        "ar": {"zero": "لم يكن لهذا الحساب أي رمز وصول إلى API لإلغائه.",
               "one": "أُلغي رمز واحد للوصول إلى API.", "two": "أُلغي رمزان للوصول إلى API.",
               "few": "أُلغيت {n} رموز للوصول إلى API.", "many": "أُلغي {n} رمزًا للوصول إلى API.",
               "other": "أُلغي {n} رمز للوصول إلى API."},
    },
    "%(num)d submission updated.": {
        "en": {"one": "{n} submission updated.", "other": "{n} submissions updated."},
        "es": {"one": "Se ha actualizado {n} opinión.",
               "other": "Se han actualizado {n} opiniones."},
        "fr": {"one": "{n} avis mis à jour.", "other": "{n} avis mis à jour."},
        "ru": {"one": "Обновлено {n} мнение.", "few": "Обновлено {n} мнения.",
               "many": "Обновлено {n} мнений."},
        "zh": {"other": "已更新{n}条意见。"},
        "ar": {"zero": "لم يُحدَّث أي رأي.", "one": "حُدِّث رأي واحد.", "two": "حُدِّث رأيان.",
               "few": "حُدِّثت {n} آراء.", "many": "حُدِّث {n} رأيًا.", "other": "حُدِّث {n} رأي."},
    },
    "%(num)d submission was changed by someone else and was skipped.": {
        "en": {"one": "{n} submission was changed by someone else and was skipped.",
               "other": "{n} submissions were changed by someone else and were skipped."},
        "es": {"one": "Se ha omitido {n} opinión porque otra persona la había modificado.",
               "other": "Se han omitido {n} opiniones porque otras personas las habían "
                        "modificado."},
        "fr": {"one": "{n} avis a été modifié par quelqu'un d'autre et n'a pas été traité.",
               "other": "{n} avis ont été modifiés par quelqu'un d'autre et n'ont pas été "
                        "traités."},
        "ru": {"one": "{n} мнение пропущено, поскольку его изменил кто-то другой.",
               "few": "{n} мнения пропущены, поскольку их изменил кто-то другой.",
               "many": "{n} мнений пропущено, поскольку их изменил кто-то другой."},
        "zh": {"other": "{n}条意见已被他人更改，已跳过。"},
        "ar": {"zero": "لم يُتخطَّ أي رأي.", "one": "جرى تخطي رأي واحد غيّره شخص آخر.",
               "two": "جرى تخطي رأيين غيّرهما شخص آخر.",
               "few": "جرى تخطي {n} آراء غيّرها شخص آخر.",
               "many": "جرى تخطي {n} رأيًا غيّرها شخص آخر.",
               "other": "جرى تخطي {n} رأي غيّرها شخص آخر."},
    },
    "%(num)d submission was not changed: %(reasons)s": {
        "en": {"one": "{n} submission was not changed: R",
               "other": "{n} submissions were not changed: R"},
        "es": {"one": "No se ha modificado {n} opinión: R",
               "other": "No se han modificado {n} opiniones: R"},
        "fr": {"one": "{n} avis n'a pas été modifié\xa0: R",
               "other": "{n} avis n'ont pas été modifiés\xa0: R"},
        "ru": {"one": "{n} мнение не изменено: R", "few": "{n} мнения не изменены: R",
               "many": "{n} мнений не изменено: R"},
        "zh": {"other": "{n}条意见未作更改：R"},
        "ar": {"zero": "تغيّرت كل الآراء.", "one": "لم يُغيَّر رأي واحد: R",
               "two": "لم يُغيَّر رأيان: R", "few": "لم تُغيَّر {n} آراء: R",
               "many": "لم يُغيَّر {n} رأيًا: R", "other": "لم يُغيَّر {n} رأي: R"},
    },
    "%(shown)s published view": {
        "en": {"one": "{n} published view", "other": "{n} published views",
               "zero": "No view published yet"},
        "es": {"one": "{n} opinión publicada", "other": "{n} opiniones publicadas",
               "zero": "Todavía no hay opiniones publicadas"},
        "fr": {"one": "{n} avis publié", "other": "{n} avis publiés",
               "zero": "Aucun avis publié pour l'instant"},
        "ru": {"one": "{n} опубликованное мнение", "few": "{n} опубликованных мнения",
               "many": "{n} опубликованных мнений", "zero": "Опубликованных мнений пока нет"},
        "zh": {"other": "{n}条已发布意见", "zero": "尚无已发布的意见"},
        "ar": {"zero": "لم يُنشر أي رأي بعد", "one": "رأي منشور واحد", "two": "رأيان منشوران",
               "few": "{n} آراء منشورة", "many": "{n} رأيًا منشورًا", "other": "{n} رأي منشور"},
    },
    "%(shown)s view": {
        "en": {"one": "{n} view", "other": "{n} views"},
        "es": {"one": "{n} opinión", "other": "{n} opiniones"},
        "fr": {"one": "{n} avis", "other": "{n} avis"},
        "ru": {"one": "{n} мнение", "few": "{n} мнения", "many": "{n} мнений"},
        "zh": {"other": "{n}条意见"},
        "ar": {"zero": "{n} رأي", "one": "رأي واحد", "two": "رأيان", "few": "{n} آراء",
               "many": "{n} رأيًا", "other": "{n} رأي"},
    },
    "%(shown)s view is published: accepted by the moderators, and its author agreed to its "
    "publication.": {
        "en": {"one": "{n} view is published: accepted by the moderators, and its author "
                      "agreed to its publication.",
               "other": "{n} views are published: accepted by the moderators, and their "
                        "authors agreed to their publication.",
               "zero": "No view has been published yet."},
        "es": {"one": "Se ha publicado {n} opinión: el equipo de moderación la aceptó y quien "
                      "la envió autorizó su publicación.",
               "other": "Se han publicado {n} opiniones: el equipo de moderación las aceptó y "
                        "quienes las enviaron autorizaron su publicación.",
               "zero": "Todavía no se ha publicado ninguna opinión."},
        "fr": {"one": "{n} avis est publié\xa0: il a été accepté par les modérateurs et son "
                      "auteur a consenti à sa publication.",
               "other": "{n} avis sont publiés\xa0: ils ont été acceptés par les modérateurs "
                        "et leurs auteurs ont consenti à leur publication.",
               "zero": "Aucun avis n'a encore été publié."},
        "ru": {"one": "Опубликовано {n} мнение: публикуются мнения, принятые модераторами, "
                      "авторы которых дали согласие на публикацию.",
               "few": "Опубликовано {n} мнения: публикуются мнения, принятые модераторами, "
                      "авторы которых дали согласие на публикацию.",
               "many": "Опубликовано {n} мнений: публикуются мнения, принятые модераторами, "
                       "авторы которых дали согласие на публикацию.",
               "zero": "Опубликованных мнений пока нет."},
        "zh": {"other": "已发布{n}条意见：这些意见已获审核人员接受，且其作者同意发布。",
               "zero": "尚无已发布的意见。"},
        "ar": {"zero": "لم يُنشر أي رأي بعد.",
               "one": "نُشر رأي واحد: قبله المشرفون ووافق صاحبه على نشره.",
               "two": "نُشر رأيان: قبلهما المشرفون ووافق صاحباهما على نشرهما.",
               "few": "نُشرت {n} آراء: قبلها المشرفون ووافق أصحابها على نشرها.",
               "many": "نُشر {n} رأيًا: قبلها المشرفون ووافق أصحابها على نشرها.",
               "other": "نُشر {n} رأي: قبلها المشرفون ووافق أصحابها على نشرها."},
    },
    "%(shown)s view received": {
        "en": {"one": "{n} view received", "other": "{n} views received",
               "zero": "No view received yet"},
        "es": {"one": "{n} opinión recibida", "other": "{n} opiniones recibidas",
               "zero": "Todavía no se ha recibido ninguna opinión"},
        "fr": {"one": "{n} avis reçu", "other": "{n} avis reçus",
               "zero": "Aucun avis reçu pour l'instant"},
        "ru": {"one": "Получено {n} мнение", "few": "Получено {n} мнения",
               "many": "Получено {n} мнений", "zero": "Мнений пока не поступало"},
        "zh": {"other": "收到{n}条意见", "zero": "尚未收到任何意见"},
        "ar": {"zero": "لم يرد أي رأي بعد", "one": "رأي واحد وارد", "two": "رأيان واردان",
               "few": "{n} آراء واردة", "many": "{n} رأيًا واردًا", "other": "{n} رأي وارد"},
    },
    "<strong>%(shown)s</strong> approved view": {  # a code's views page: its total, 0 too
        "en": {"one": "<strong>{n}</strong> approved view",
               "other": "<strong>{n}</strong> approved views"},
        "es": {"one": "<strong>{n}</strong> opinión aprobada",
               "other": "<strong>{n}</strong> opiniones aprobadas"},
        "fr": {"one": "<strong>{n}</strong> avis approuvé",
               "other": "<strong>{n}</strong> avis approuvés"},
        "ru": {"one": "<strong>{n}</strong> одобренное мнение",
               "few": "<strong>{n}</strong> одобренных мнения",
               "many": "<strong>{n}</strong> одобренных мнений"},
        "zh": {"other": "<strong>{n}</strong>条已批准的意见"},
        "ar": {"zero": "<strong>لا يوجد</strong> أي رأي مقبول",
               "one": "<strong>رأي واحد</strong> مقبول", "two": "<strong>رأيان</strong> مقبولان",
               "few": "<strong>{n}</strong> آراء مقبولة",
               "many": "<strong>{n}</strong> رأيًا مقبولًا",
               "other": "<strong>{n}</strong> رأي مقبول"},
    },
    "Read %(shown)s view": {
        "en": {"one": "Read {n} view", "other": "Read the {n} views"},
        "es": {"one": "Leer {n} opinión", "other": "Leer las {n} opiniones"},
        "fr": {"one": "Lire {n} avis", "other": "Lire les {n} avis"},
        "ru": {"one": "Читать {n} мнение", "few": "Читать {n} мнения",
               "many": "Читать {n} мнений"},
        "zh": {"other": "阅读{n}条意见"},
        "ar": {"zero": "قراءة الآراء", "one": "قراءة الرأي الوحيد", "two": "قراءة الرأيين",
               "few": "قراءة الآراء الـ{n}", "many": "قراءة الآراء الـ{n}",
               "other": "قراءة الآراء الـ{n}"},
    },
    "The published view and its tags, CSV (%(shown)s row)": {
        "en": {"one": "The published view and its tags, CSV ({n} row)",
               "other": "The published views and their tags, CSV ({n} rows)",
               "zero": "The published views and their tags, CSV (no view published yet: the "
                       "file holds the column names)"},
        "es": {"one": "La opinión publicada y sus etiquetas, CSV ({n} fila)",
               "other": "Las opiniones publicadas y sus etiquetas, CSV ({n} filas)",
               "zero": "Las opiniones publicadas y sus etiquetas, CSV (todavía no hay "
                       "opiniones publicadas: el archivo contiene los nombres de las columnas)"},
        "fr": {"one": "L'avis publié et ses étiquettes, CSV ({n} ligne)",
               "other": "Les avis publiés et leurs étiquettes, CSV ({n} lignes)",
               "zero": "Les avis publiés et leurs étiquettes, CSV (aucun avis publié pour "
                       "l'instant : le fichier contient les noms des colonnes)"},
        "ru": {"one": "Опубликованные мнения и их метки, CSV ({n} строка)",
               "few": "Опубликованные мнения и их метки, CSV ({n} строки)",
               "many": "Опубликованные мнения и их метки, CSV ({n} строк)",
               "zero": "Опубликованные мнения и их метки, CSV (опубликованных мнений пока "
                       "нет: в файле только названия столбцов)"},
        "zh": {"other": "已发布意见及其标签，CSV（{n}行）",
               "zero": "已发布的意见及其标签，CSV（尚无已发布的意见：文件中只有列名）"},
        "ar": {"zero": "الآراء المنشورة ووسومها، CSV (لم يُنشر أي رأي بعد: يضم الملف أسماء "
                       "الأعمدة فقط)",
               "one": "الرأي المنشور ووسومه، CSV (صف واحد)",
               "two": "الرأيان المنشوران ووسومهما، CSV (صفّان)",
               "few": "الآراء المنشورة ووسومها، CSV ({n} صفوف)",
               "many": "الآراء المنشورة ووسومها، CSV ({n} صفًا)",
               "other": "الآراء المنشورة ووسومها، CSV ({n} صف)"},
    },
    "The view most typical of this sub-theme comes first.": {
        "en": {"one": "The view most typical of this sub-theme comes first.",
               "other": "The {n} views most typical of this sub-theme come first."},
        "es": {"one": "La opinión más representativa de este subtema aparece primero.",
               "other": "Las {n} opiniones más representativas de este subtema aparecen "
                        "primero."},
        "fr": {"one": "L'avis le plus représentatif de ce sous-thème vient en premier.",
               "other": "Les {n} avis les plus représentatifs de ce sous-thème viennent en "
                        "premier."},
        "ru": {"one": "Сначала приведено {n} мнение, наиболее характерное для этой подтемы.",
               "few": "Сначала приведены {n} мнения, наиболее характерные для этой подтемы.",
               "many": "Сначала приведено {n} мнений, наиболее характерных для этой подтемы."},
        "zh": {"other": "最能代表此子主题的{n}条意见列在最前。"},
        "ar": {"zero": "تأتي أولًا الآراء الأكثر تمثيلًا لهذا الموضوع الفرعي.",
               "one": "يأتي أولًا الرأي الأكثر تمثيلًا لهذا الموضوع الفرعي.",
               "two": "يأتي أولًا الرأيان الأكثر تمثيلًا لهذا الموضوع الفرعي.",
               "few": "تأتي أولًا الآراء الـ{n} الأكثر تمثيلًا لهذا الموضوع الفرعي.",
               "many": "تأتي أولًا الآراء الـ{n} الأكثر تمثيلًا لهذا الموضوع الفرعي.",
               "other": "تأتي أولًا الآراء الـ{n} الأكثر تمثيلًا لهذا الموضوع الفرعي."},
    },
    "This document quotes the %(count)s approved view tagged with %(code)s.": {
        "en": {"one": "This document quotes the {n} approved view tagged with C.",
               "other": "This document quotes all {n} approved views tagged with C."},
        "es": {"one": "Este documento cita la única opinión aprobada con el código C.",
               "other": "Este documento cita la totalidad de las {n} opiniones aprobadas con "
                        "el código C."},
        "fr": {"one": "Ce document cite le seul avis approuvé portant le code C.",
               "other": "Ce document cite l'ensemble des {n} avis approuvés portant le code "
                        "C."},
        "ru": {"one": "В этом документе приведено {n} одобренное мнение с меткой C, других "
                      "нет.",
               "few": "В этом документе приведены все {n} одобренных мнения с меткой C.",
               "many": "В этом документе приведены все {n} одобренных мнений с меткой C."},
        "zh": {"other": "本文件引用了带有C标签的全部已批准意见，共{n}条。"},
        "ar": {"zero": "لا تقتبس هذه الوثيقة أي رأي، إذ لا يوجد رأي مقبول موسوم بالرمز C.",
               "one": "تقتبس هذه الوثيقة الرأي المقبول الوحيد الموسوم بالرمز C.",
               "two": "تقتبس هذه الوثيقة الرأيين المقبولين الموسومين بالرمز C.",
               "few": "تقتبس هذه الوثيقة كل الآراء المقبولة الموسومة بالرمز C، وعددها {n}.",
               "many": "تقتبس هذه الوثيقة كل الآراء المقبولة الموسومة بالرمز C، وعددها {n}.",
               "other": "تقتبس هذه الوثيقة كل الآراء المقبولة الموسومة بالرمز C، وعددها {n}."},
    },
    "Use at most %(num)d character (you used %(used)d).": {
        "en": {"one": "Use at most {n} character (you used 7).",
               "other": "Use at most {n} characters (you used 7)."},
        "es": {"one": "Utilice como máximo {n} carácter (ha utilizado 7).",
               "other": "Utilice como máximo {n} caracteres (ha utilizado 7)."},
        "fr": {"one": "Utilisez au maximum {n} caractère (vous en avez utilisé 7).",
               "other": "Utilisez au maximum {n} caractères (vous en avez utilisé 7)."},
        "ru": {"one": "Максимальная длина — {n} символ (использовано: 7).",
               "few": "Максимальная длина — {n} символа (использовано: 7).",
               "many": "Максимальная длина — {n} символов (использовано: 7)."},
        "zh": {"other": "最多{n}个字符（您已使用7个）。"},
        "ar": {"zero": "لا يُسمح بأي حرف (عدد الأحرف المستخدمة: 7).",
               "one": "الحد الأقصى المسموح به حرف واحد (عدد الأحرف المستخدمة: 7).",
               "two": "الحد الأقصى المسموح به حرفان (عدد الأحرف المستخدمة: 7).",
               "few": "الحد الأقصى المسموح به {n} أحرف (عدد الأحرف المستخدمة: 7).",
               "many": "الحد الأقصى المسموح به {n} حرفًا (عدد الأحرف المستخدمة: 7).",
               "other": "الحد الأقصى المسموح به {n} حرف (عدد الأحرف المستخدمة: 7)."},
    },
    "You claimed %(num)d submission.": {
        "en": {"one": "You claimed {n} submission.", "other": "You claimed {n} submissions.",
               "zero": "No submission was left to claim with these filters."},
        "es": {"one": "Ha reservado {n} opinión.", "other": "Ha reservado {n} opiniones.",
               "zero": "No queda ninguna opinión por tomar con estos filtros."},
        "fr": {"one": "Vous avez réservé {n} avis.", "other": "Vous avez réservé {n} avis.",
               "zero": "Il ne reste aucun avis à prendre avec ces filtres."},
        "ru": {"one": "Вы взяли в работу {n} мнение.", "few": "Вы взяли в работу {n} мнения.",
               "many": "Вы взяли в работу {n} мнений.",
               "zero": "С этими фильтрами не осталось мнений, которые можно взять."},
        "zh": {"other": "您认领了{n}条意见。", "zero": "按这些筛选条件，已没有可领取的意见。"},
        "ar": {"zero": "لم يبقَ رأي يمكن حجزه بهذه العوامل.", "one": "حُجز لك رأي واحد.",
               "two": "حُجز لك رأيان.", "few": "حُجزت لك {n} آراء.", "many": "حُجز لك {n} رأيًا.",
               "other": "حُجز لك {n} رأي."},
    },
    "You released %(num)d submission.": {
        "en": {"one": "You released {n} submission.", "other": "You released {n} submissions.",
               "zero": "You had no claimed submission to release."},
        "es": {"one": "Ha liberado {n} opinión.", "other": "Ha liberado {n} opiniones.",
               "zero": "No tenía ninguna opinión tomada que liberar."},
        "fr": {"one": "Vous avez libéré {n} avis.", "other": "Vous avez libéré {n} avis.",
               "zero": "Vous n'aviez aucun avis pris à libérer."},
        "ru": {"one": "Вы вернули в очередь {n} мнение.",
               "few": "Вы вернули в очередь {n} мнения.",
               "many": "Вы вернули в очередь {n} мнений.",
               "zero": "У вас не было взятых мнений, которые можно вернуть."},
        "zh": {"other": "您已取消认领{n}条意见。", "zero": "您没有可释放的已领取意见。"},
        "ar": {"zero": "لم يكن لديك أي رأي محجوز لإلغاء حجزه.", "one": "أُلغي حجز رأي واحد.",
               "two": "أُلغي حجز رأيين.", "few": "أُلغي حجز {n} آراء.", "many": "أُلغي حجز {n} رأيًا.",
               "other": "أُلغي حجز {n} رأي."},
    },
    "%(num)s change has no explanation yet: the public page will say so.": {
        "en": {"one": "{n} change has no explanation yet: the public page will say so.",
               "other": "{n} changes have no explanation yet: the public page will say so."},
        "es": {"one": "{n} cambio aún no tiene explicación: la página pública lo indicará.",
               "other": "{n} cambios aún no tienen explicación: la página pública lo indicará."},
        "fr": {"one": "{n} modification n'a pas encore d'explication : la page publique "
                      "l'indiquera.",
               "other": "{n} modifications n'ont pas encore d'explication : la page publique "
                        "l'indiquera."},
        "ru": {"one": "{n} изменение пока не объяснено: на публичной странице это будет указано.",
               "few": "{n} изменения пока не объяснены: на публичной странице это будет указано.",
               "many": "{n} изменений пока не объяснены: на публичной странице это будет указано."},
        "zh": {"other": "有{n}项变更尚无说明：公开页面将注明这一点。"},
        "ar": {"zero": "لا يوجد تغيير بلا شرح.",
               "one": "تغيير واحد لم يُشرح بعد: ستذكر الصفحة العامة ذلك.",
               "two": "تغييران لم يُشرحا بعد: ستذكر الصفحة العامة ذلك.",
               "few": "{n} تغييرات لم تُشرح بعد: ستذكر الصفحة العامة ذلك.",
               "many": "{n} تغييرًا لم يُشرح بعد: ستذكر الصفحة العامة ذلك.",
               "other": "{n} تغيير لم يُشرح بعد: ستذكر الصفحة العامة ذلك."},
    },
    "%(num)s problem in the file": {
        "en": {"one": "{n} problem in the file", "other": "{n} problems in the file"},
        "es": {"one": "{n} problema en el archivo", "other": "{n} problemas en el archivo"},
        "fr": {"one": "{n} problème dans le fichier", "other": "{n} problèmes dans le fichier"},
        "ru": {"one": "{n} ошибка в файле", "few": "{n} ошибки в файле",
               "many": "{n} ошибок в файле"},
        "zh": {"other": "文件中有{n}个问题"},
        "ar": {"zero": "لا مشكلات في الملف", "one": "مشكلة واحدة في الملف",
               "two": "مشكلتان في الملف", "few": "{n} مشكلات في الملف",
               "many": "{n} مشكلة في الملف", "other": "{n} مشكلة في الملف"},
    },
    "%(shown)s paragraph added": {
        "en": {"one": "{n} paragraph added", "other": "{n} paragraphs added"},
        "es": {"one": "{n} párrafo añadido", "other": "{n} párrafos añadidos"},
        "fr": {"one": "{n} paragraphe ajouté", "other": "{n} paragraphes ajoutés"},
        "ru": {"one": "Добавлен {n} пункт", "few": "Добавлено {n} пункта",
               "many": "Добавлено {n} пунктов"},
        "zh": {"other": "新增{n}个段落"},
        "ar": {"zero": "لم تُضف أي فقرة", "one": "أُضيفت فقرة واحدة", "two": "أُضيفت فقرتان",
               "few": "أُضيفت {n} فقرات", "many": "أُضيفت {n} فقرة", "other": "أُضيفت {n} فقرة"},
    },
    "%(shown)s paragraph changed": {
        "en": {"one": "{n} paragraph changed", "other": "{n} paragraphs changed"},
        "es": {"one": "{n} párrafo modificado", "other": "{n} párrafos modificados"},
        "fr": {"one": "{n} paragraphe modifié", "other": "{n} paragraphes modifiés"},
        "ru": {"one": "Изменен {n} пункт", "few": "Изменено {n} пункта",
               "many": "Изменено {n} пунктов"},
        "zh": {"other": "修改{n}个段落"},
        "ar": {"zero": "لم تُعدَّل أي فقرة", "one": "عُدِّلت فقرة واحدة", "two": "عُدِّلت فقرتان",
               "few": "عُدِّلت {n} فقرات", "many": "عُدِّلت {n} فقرة",
               "other": "عُدِّلت {n} فقرة"},
    },
    "%(shown)s paragraph moved": {
        "en": {"one": "{n} paragraph moved", "other": "{n} paragraphs moved"},
        "es": {"one": "{n} párrafo trasladado", "other": "{n} párrafos trasladados"},
        "fr": {"one": "{n} paragraphe déplacé", "other": "{n} paragraphes déplacés"},
        "ru": {"one": "Перемещен {n} пункт", "few": "Перемещено {n} пункта",
               "many": "Перемещено {n} пунктов"},
        "zh": {"other": "移动{n}个段落"},
        "ar": {"zero": "لم تُنقل أي فقرة", "one": "نُقلت فقرة واحدة", "two": "نُقلت فقرتان",
               "few": "نُقلت {n} فقرات", "many": "نُقلت {n} فقرة", "other": "نُقلت {n} فقرة"},
    },
    "%(shown)s paragraph removed": {
        "en": {"one": "{n} paragraph removed", "other": "{n} paragraphs removed"},
        "es": {"one": "{n} párrafo suprimido", "other": "{n} párrafos suprimidos"},
        "fr": {"one": "{n} paragraphe supprimé", "other": "{n} paragraphes supprimés"},
        "ru": {"one": "Исключен {n} пункт", "few": "Исключено {n} пункта",
               "many": "Исключено {n} пунктов"},
        "zh": {"other": "删除{n}个段落"},
        "ar": {"zero": "لم تُحذف أي فقرة", "one": "حُذفت فقرة واحدة", "two": "حُذفت فقرتان",
               "few": "حُذفت {n} فقرات", "many": "حُذفت {n} فقرة", "other": "حُذفت {n} فقرة"},
    },
    "%(shown)s paragraph unchanged": {
        "en": {"one": "{n} paragraph unchanged", "other": "{n} paragraphs unchanged"},
        "es": {"one": "{n} párrafo sin cambios", "other": "{n} párrafos sin cambios"},
        "fr": {"one": "{n} paragraphe inchangé", "other": "{n} paragraphes inchangés"},
        "ru": {"one": "Без изменений: {n} пункт", "few": "Без изменений: {n} пункта",
               "many": "Без изменений: {n} пунктов"},
        "zh": {"other": "{n}个段落未变"},
        "ar": {"zero": "لم تبقَ أي فقرة دون تغيير", "one": "فقرة واحدة دون تغيير",
               "two": "فقرتان دون تغيير", "few": "{n} فقرات دون تغيير",
               "many": "{n} فقرة دون تغيير", "other": "{n} فقرة دون تغيير"},
    },
    "%(shown)s published view about this paragraph": {
        "en": {"one": "{n} published view about this paragraph",
               "other": "{n} published views about this paragraph"},
        "es": {"one": "{n} opinión publicada sobre este párrafo",
               "other": "{n} opiniones publicadas sobre este párrafo"},
        "fr": {"one": "{n} avis publié sur ce paragraphe",
               "other": "{n} avis publiés sur ce paragraphe"},
        "ru": {"one": "{n} опубликованное мнение об этом пункте",
               "few": "{n} опубликованных мнения об этом пункте",
               "many": "{n} опубликованных мнений об этом пункте"},
        "zh": {"other": "关于本段落的已发布意见：{n}条"},
        "ar": {"zero": "لا توجد آراء منشورة بشأن هذه الفقرة",
               "one": "رأي واحد منشور بشأن هذه الفقرة", "two": "رأيان منشوران بشأن هذه الفقرة",
               "few": "{n} آراء منشورة بشأن هذه الفقرة",
               "many": "{n} رأيًا منشورًا بشأن هذه الفقرة",
               "other": "{n} رأي منشور بشأن هذه الفقرة"},
    },
    "%(shown)s view motivated this change": {
        "en": {"one": "{n} view motivated this change",
               "other": "{n} views motivated this change"},
        "es": {"one": "{n} opinión motivó este cambio",
               "other": "{n} opiniones motivaron este cambio"},
        "fr": {"one": "{n} avis a motivé cette modification",
               "other": "{n} avis ont motivé cette modification"},
        "ru": {"one": "{n} мнение послужило основанием для этого изменения",
               "few": "{n} мнения послужили основанием для этого изменения",
               "many": "{n} мнений послужили основанием для этого изменения"},
        "zh": {"other": "促成此项变更的意见：{n}条"},
        "ar": {"zero": "لم يستدعِ أي رأي هذا التغيير", "one": "رأي واحد استدعى هذا التغيير",
               "two": "رأيان استدعيا هذا التغيير", "few": "{n} آراء استدعت هذا التغيير",
               "many": "{n} رأيًا استدعى هذا التغيير", "other": "{n} رأي استدعى هذا التغيير"},
    },
}
LANGS = ("ar", "zh", "en", "fr", "ru", "es")


# Issue #21: attached files (N: a file name, S and T: sizes in MB).
EXPECTED.update({
    '%(num)s page': {
        'en': {'one': '{n} page', 'other': '{n} pages'},
        'es': {'one': '{n} página', 'other': '{n} páginas'},
        'fr': {'one': '{n} page', 'other': '{n} pages'},
        'ru': {'few': '{n} страницы', 'many': '{n} страниц', 'one': '{n} страница'},
        'zh': {'other': '{n} 页'},
        'ar': {'few': '{n} صفحات',
               'many': '{n} صفحة',
               'one': 'صفحة واحدة',
               'other': '{n} صفحة',
               'two': 'صفحتان',
               'zero': '{n} صفحة'},
    },
    'Attach at most %(num)d file.': {
        'en': {'one': 'Attach at most {n} file.', 'other': 'Attach at most {n} files.'},
        'es': {'one': 'Adjunte como máximo {n} archivo.',
               'other': 'Adjunte como máximo {n} archivos.'},
        'fr': {'one': 'Joignez au plus {n} fichier.', 'other': 'Joignez au plus {n} fichiers.'},
        'ru': {'few': 'Можно приложить не более {n} файлов.',
               'many': 'Можно приложить не более {n} файлов.',
               'one': 'Можно приложить не более {n} файла.'},
        'zh': {'other': '最多可附上 {n} 个文件。'},
        'ar': {'few': 'يمكنك إرفاق {n} ملفات على الأكثر.',
               'many': 'يمكنك إرفاق {n} ملفًا على الأكثر.',
               'one': 'يمكنك إرفاق ملف واحد على الأكثر.',
               'other': 'يمكنك إرفاق {n} ملف على الأكثر.',
               'two': 'يمكنك إرفاق ملفين على الأكثر.',
               'zero': 'لا يمكن إرفاق أي ملف.'},
    },
    ("Up to %(num)s file: PDF, Word (DOCX), OpenDocument (ODT) or plain text, at most "
     "%(size)s MB, and %(total)s MB together."): {
        'en': {'one': 'Up to {n} file: PDF, Word (DOCX), OpenDocument (ODT) or plain text, at '
                      'most S MB, and T MB together.',
               'other': 'Up to {n} files: PDF, Word (DOCX), OpenDocument (ODT) or plain text, at '
                        'most S MB each and T MB together.'},
        'es': {'one': 'Hasta {n} archivo: PDF, Word (DOCX), OpenDocument (ODT) o texto sin '
                      'formato, de S MB como máximo, y T MB en total.',
               'other': 'Hasta {n} archivos: PDF, Word (DOCX), OpenDocument (ODT) o texto sin '
                        'formato, de S MB como máximo cada uno y T MB en total.'},
        'fr': {'one': 'Jusqu’à {n} fichier : PDF, Word (DOCX), OpenDocument (ODT) ou texte brut, '
                      'S Mo au plus, et T Mo au total.',
               'other': 'Jusqu’à {n} fichiers : PDF, Word (DOCX), OpenDocument (ODT) ou texte '
                        'brut, S Mo au plus chacun et T Mo au total.'},
        'ru': {'few': 'Не более {n} файлов: PDF, Word (DOCX), OpenDocument (ODT) или простой '
                      'текст, каждый не больше S МБ, всего не больше T МБ.',
               'many': 'Не более {n} файлов: PDF, Word (DOCX), OpenDocument (ODT) или простой '
                       'текст, каждый не больше S МБ, всего не больше T МБ.',
               'one': 'Не более {n} файла: PDF, Word (DOCX), OpenDocument (ODT) или простой '
                      'текст, каждый не больше S МБ, всего не больше T МБ.'},
        'zh': {'other': '最多 {n} 个文件：PDF、Word (DOCX)、OpenDocument (ODT) '
                        '或纯文本，每个不超过 S MB，合计不超过 T MB。'},
        'ar': {'few': '{n} ملفات على الأكثر: PDF أو Word (DOCX) أو OpenDocument (ODT) أو نص '
                      'عادي، بحجم S م.بايت على الأكثر لكل ملف، وT م.بايت إجمالًا.',
               'many': '{n} ملفًا على الأكثر: PDF أو Word (DOCX) أو OpenDocument (ODT) أو نص '
                       'عادي، بحجم S م.بايت على الأكثر لكل ملف، وT م.بايت إجمالًا.',
               'one': 'ملف واحد على الأكثر: PDF أو Word (DOCX) أو OpenDocument (ODT) أو نص عادي، '
                      'بحجم S م.بايت على الأكثر، وT م.بايت إجمالًا.',
               'other': '{n} ملف على الأكثر: PDF أو Word (DOCX) أو OpenDocument (ODT) أو نص '
                        'عادي، بحجم S م.بايت على الأكثر لكل ملف، وT م.بايت إجمالًا.',
               'two': 'ملفان على الأكثر: PDF أو Word (DOCX) أو OpenDocument (ODT) أو نص عادي، '
                      'بحجم S م.بايت على الأكثر لكل ملف، وT م.بايت إجمالًا.',
               'zero': 'لا يمكن إرفاق أي ملف.'},
    },
    '“%(name)s” has more than %(num)d page. Attach a shorter document or a summary.': {
        'en': {'one': '“N” has more than {n} page. Attach a shorter document or a summary.',
               'other': '“N” has more than {n} pages. Attach a shorter document or a summary.'},
        'es': {'one': '«N» tiene más de {n} página. Adjunte un documento más breve o un resumen.',
               'other': '«N» tiene más de {n} páginas. Adjunte un documento más breve o un '
                        'resumen.'},
        'fr': {'one': '« N » compte plus de {n} page. Joignez un document plus court ou un '
                      'résumé.',
               'other': '« N » compte plus de {n} pages. Joignez un document plus court ou un '
                        'résumé.'},
        'ru': {'few': 'В «N» больше {n} страниц. Приложите более короткий документ или краткое '
                      'изложение.',
               'many': 'В «N» больше {n} страниц. Приложите более короткий документ или краткое '
                       'изложение.',
               'one': 'В «N» больше {n} страницы. Приложите более короткий документ или краткое '
                      'изложение.'},
        'zh': {'other': '“N”超过 {n} 页。请附上更短的文件或摘要。'},
        'ar': {'few': 'يتجاوز «N» {n} صفحات. أرفِق وثيقة أقصر أو ملخصًا.',
               'many': 'يتجاوز «N» {n} صفحة. أرفِق وثيقة أقصر أو ملخصًا.',
               'one': 'يتجاوز «N» صفحة واحدة. أرفِق وثيقة أقصر أو ملخصًا.',
               'other': 'يتجاوز «N» {n} صفحة. أرفِق وثيقة أقصر أو ملخصًا.',
               'two': 'يتجاوز «N» صفحتين. أرفِق وثيقة أقصر أو ملخصًا.',
               'zero': 'يتجاوز «N» الحد المسموح به من الصفحات. أرفِق وثيقة أقصر أو ملخصًا.'},
    },
})


def _plural_messages() -> list[tuple[str, str]]:
    with (ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return [tuple(m.id) for m in read_po(fh) if m.pluralizable and m.id]


def test_every_plural_message_has_an_expected_table():
    assert sorted(singular for singular, _plural in _plural_messages()) == sorted(EXPECTED)


def _render(lang: str, singular: str, plural: str, n: int) -> str:
    translations = Translations.load(str(ROOT / "translations"), [lang])
    shown = format_number(n, lang)
    variables = {"num": n, "shown": shown, "count": shown, "used": 7, "reasons": "R",
                 "code": "C", "name": "N", "size": "S", "total": "T"}
    if n == 0 and singular in ZERO:
        return translations.ugettext(ZERO[singular]) % variables
    return translations.ungettext(singular, plural, n) % variables


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("singular,plural", _plural_messages(), ids=lambda s: s[:24])
def test_plural_message_reads_right_for_each_count(lang, singular, plural):
    table = EXPECTED[singular][lang]
    got = {n: _render(lang, singular, plural, n) for n in NUMBERS}
    wanted = {}
    for n, category in zip(NUMBERS, CATEGORY[lang], strict=True):
        key = "zero" if n == 0 and "zero" in table else category
        wanted[n] = table[key].replace("{n}", format_number(n, lang))
    assert got == wanted
    if lang == "ar":  # never a digit before a singular or a dual
        assert "1" not in got[1] and "2" not in got[2]
