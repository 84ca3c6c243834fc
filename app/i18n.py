"""Everything about locales: the six UN languages, how a request picks one, text
direction, the `/<lang>/` URL prefix, and localized names of countries and languages."""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_babel
from babel import Locale
from babel.dates import format_date, format_skeleton, format_timedelta
from babel.numbers import (
    format_decimal,
    format_percent,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
)
from flask import Flask, g, has_app_context, has_request_context, request, url_for
from flask_babel.speaklater import LazyString
from werkzeug.routing import BaseConverter

# In the UN's order (English alphabetical order of the language names).
LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ug", "ku", "sd"})
DATA_DIR = Path(__file__).parent / "data"


@functools.lru_cache(maxsize=64)
def cldr(code: str) -> Locale:
    """Babel's Locale for a code, parsed once per process (parsing costs more than the
    formatting that needs it, and pages format hundreds of numbers and names)."""
    return Locale.parse(code)


class LangConverter(BaseConverter):
    """`<lang:lang>` matches only the six UN languages, so `/de/submit` is a 404."""

    regex = "(?:" + "|".join(LANGUAGES) + ")"


def select_locale() -> str:
    """The locale of this request: the URL prefix, else the best Accept-Language match."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = g.get("lang")
    if lang:
        return lang
    # No route matched (a 404 under /ar/...): the prefix still says what the reader reads.
    prefix = request.path.strip("/").split("/", 1)[0]
    if prefix in LANGUAGES:
        return prefix
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


# Application code and templates translate through the functions below (`pybabel extract`
# knows their names), and switch language with `force_locale` from here: this module is the
# one seam over Flask-Babel (ruff's banned-api rule keeps it so).
#
# The locale code and catalog of a request are read once from Flask-Babel's public
# `get_locale` and `get_translations` and kept in `g` until `force_locale` changes them.
# Each Flask-Babel call finds its namespace through several lookups of the `g` proxy
# (7.4 us a gettext, 2.1 us a get_locale, against 1 us here), and a page calls them hundreds
# of times (translated labels, and url_for's lang default on every link). Kept by issue
# #19's rule: bench/profile_page.py at 50,000 views, CPU per request with Flask-Babel's
# functions and with these: dashboard 10.5 -> 8.0 ms (-23 %), queue 13.5 -> 11.2 ms (-17 %),
# GET /en/submit 6.5 -> 5.5 ms (-16 %).

def _current() -> tuple[str, Any]:
    """(locale code, catalog) of this request, or of the app context."""
    try:
        return g.unu_i18n
    except AttributeError:  # first call in this context
        found = (str(flask_babel.get_locale() or DEFAULT_LANGUAGE),
                 flask_babel.get_translations())
        g.unu_i18n = found
        return found
    except RuntimeError:  # no app context: the default language, untranslated
        return DEFAULT_LANGUAGE, flask_babel.get_translations()


@contextlib.contextmanager
def force_locale(lang: str) -> Iterator[None]:
    """Flask-Babel's `force_locale` (an email or a document in its reader's language)."""
    with flask_babel.force_locale(lang):
        _forget()
        try:
            yield
        finally:
            _forget()


def _forget() -> None:
    if has_app_context():
        g.pop("unu_i18n", None)


def current_language() -> str:
    return _current()[0]


def gettext(string: str, **variables: Any) -> str:
    text = _current()[1].ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _current()[1].ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables: Any) -> str:
    text = _current()[1].upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    return LazyString(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **variables)


def text_direction(lang: str | None = None) -> str:
    code = (lang or current_language()).split("-")[0].split("_")[0]
    return "rtl" if code in RTL_LANGUAGES else "ltr"


def pick(texts: dict[str, str] | None, lang: str | None = None) -> tuple[str, str]:
    """Choose the text of a multilingual field for `lang`, with its actual language.

    Falls back to English, then to any language, so a round written only in English still
    shows on the Arabic page (marked `lang="en"` by the template).
    """
    texts = texts or {}
    lang = lang or current_language()
    for candidate in (lang, DEFAULT_LANGUAGE, *LANGUAGES):
        if texts.get(candidate):
            return texts[candidate], candidate
    for code, value in texts.items():
        if value:
            return value, code
    return "", lang


def localized(texts: dict[str, str] | None, lang: str | None = None) -> str:
    return pick(texts, lang)[0]


@functools.cache
def country_codes() -> tuple[str, ...]:
    with open(DATA_DIR / "m49.csv", newline="", encoding="utf-8") as fh:
        return tuple(row["alpha2"] for row in csv.DictReader(fh))


@functools.cache
def countries(lang: str) -> tuple[tuple[str, str], ...]:
    """(code, localized name) for every country or area, sorted for that language."""
    names = cldr(lang).territories
    pairs = [(code, names.get(code, code)) for code in country_codes()]
    return tuple(sorted(pairs, key=lambda pair: _sort_key(pair[1], lang)))


def country_name(code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    return cldr(lang or current_language()).territories.get(code, code)


@functools.cache
def language_codes() -> frozenset[str]:
    """Every ISO 639-1 (two-letter) language code Babel knows a name for."""
    return frozenset(code for code in cldr("en").languages if len(code) == 2)


@functools.cache
def written_languages(lang: str) -> tuple[tuple[str, str], ...]:
    """Languages a view may be written in: the six UN languages first, then all others."""
    names = cldr(lang).languages
    un = [(code, cldr(code).get_display_name(code)) for code in LANGUAGES]
    others = sorted(
        ((code, names.get(code, code)) for code in language_codes() if code not in LANGUAGES),
        key=lambda pair: _sort_key(pair[1], lang),
    )
    return tuple(un + others)


def language_name(code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    return cldr(lang or current_language()).languages.get(code, code)


@functools.lru_cache(maxsize=256)
def native_name(code: str) -> str:
    return cldr(code).get_display_name(code)


def _sort_key(name: str, lang: str) -> str:
    # Babel has no collation; case-folding is close enough for a select list.
    return name.casefold()


def switch_language_url(lang: str) -> str:
    """The current page in another language (a GET of the same endpoint and arguments)."""
    endpoint = request.endpoint
    args: dict[str, Any] = dict(request.view_args or {})
    if endpoint and "lang" in args:
        args["lang"] = lang
        query = request.args.to_dict(flat=True)
        query.pop("lang", None)
        return url_for(endpoint, **args, **query)
    return url_for("public.home", lang=lang)


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LangConverter

    @app.url_value_preprocessor
    def _pull_lang(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "lang" in values:
            g.lang = values["lang"]

    @app.url_defaults
    def _add_lang(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_language()

    @app.context_processor
    def _locale_context() -> dict[str, Any]:
        lang = current_language()
        return {"locale": lang, "text_dir": text_direction(lang)}

    # Templates translate through the same functions (Flask-Babel installed its own
    # callables in `babel.init_app`; these do the same through the catalog kept above).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _current()[1].ugettext(s),
        ngettext=lambda s, p, n: _current()[1].ungettext(s, p, n),
        pgettext=lambda c, s: _current()[1].upgettext(c, s),
        npgettext=lambda c, s, p, n: _current()[1].unpgettext(c, s, p, n),
        newstyle=True,
    )

    # Globals rather than context: imported macros see them too.
    app.jinja_env.globals.update(
        languages=[(code, native_name(code)) for code in LANGUAGES],
        current_language=current_language,
        switch_language_url=switch_language_url,
        localized=localized,
        pick=pick,
        country_name=country_name,
        language_name=language_name,
        list_separator=list_separator,
    )
    app.add_template_filter(format_utc, "utc_datetime")
    app.add_template_filter(format_number, "format_number")
    app.add_template_filter(format_share, "format_percent")
    app.add_template_filter(format_size, "format_size")
    app.add_template_filter(format_waited, "waited")
    app.add_template_filter(join_words, "join_words")


# Between items of a list whose items may hold "and" themselves (taxonomy labels).
LIST_SEPARATORS = {"ar": "؛ ", "zh": "；"}


def join_words(items: Any, lang: str | None = None) -> str:
    """Labels one after the other, as the reader's language separates them."""
    return LIST_SEPARATORS.get(lang or current_language(), "; ").join(str(i) for i in items)


# Babel's formatting is exact but slow, and the same counts, shares and times come back on
# every page: each result is kept (bounded, per process; plain values in, immutable strings
# out). Kept by issue #19's rule (more than 10 % CPU per request): bench/profile_page.py at
# 20,000 views, the dashboard (/en/reports/) 14.5 ms without these memos, 12.1 ms with them
# (-16 %); the queue 16.1 -> 14.9 ms.

def format_number(value: Any, lang: str | None = None) -> str:
    return _format_number(value, lang or current_language())


@functools.lru_cache(maxsize=8192)
def _format_number(value: Any, lang: str) -> str:
    return format_decimal(value, locale=cldr(lang))


def list_separator(lang: str | None = None) -> str:
    """Between the items of a run-in list: the Arabic comma, the Chinese enumeration comma,
    else a comma."""
    lang = lang or current_language()
    return {"ar": "، ", "zh": "、"}.get(lang, ", ")


def format_share(value: float, lang: str | None = None) -> str:
    """A share (0.0 to 1.0) as a percentage with one decimal at most, in the locale's
    pattern (75%, 75 %, 33,3 %)."""
    return _format_share(round(value, 3), lang or current_language())


@functools.lru_cache(maxsize=4096)
def _format_share(value: float, lang: str) -> str:
    return format_percent(value, locale=cldr(lang), decimal_quantization=False)


def format_size(size: int, lang: str | None = None) -> str:
    """A file's size in CLDR's short units of the reader's language (340 kB, 1,2 Mo),
    one decimal at most above a megabyte."""
    from babel.units import format_unit

    locale = cldr(lang or current_language())
    if size < 1000:
        return format_unit(size, "digital-byte", length="short", locale=locale)
    if size < 1000 * 1000:
        return format_unit(round(size / 1000), "digital-kilobyte", length="short",
                           locale=locale)
    return format_unit(round(size / 1000 / 1000, 1), "digital-megabyte", length="short",
                       locale=locale, format="#,##0.#")


def format_utc(value: Any, lang: str | None = None) -> str:
    """A date and time in the reader's locale, in UTC (the round's reference time), to the
    minute."""
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    value = value.replace(second=0, microsecond=0)
    return _format_utc(value, lang or current_language())


@functools.lru_cache(maxsize=8192)
def _format_utc(value: dt.datetime, lang: str) -> str:
    locale = cldr(lang)
    date = format_skeleton("yMMMd", value, tzinfo=dt.UTC, locale=locale)
    time = format_skeleton("Hm", value, tzinfo=dt.UTC, locale=locale)
    pattern = str(locale.datetime_formats["medium"])
    return pattern.replace("{1}", date).replace("{0}", time) + " UTC"


def format_waited(since: dt.datetime, lang: str | None = None,
                  now: dt.datetime | None = None) -> str:
    """How long ago `since` was, in whole units of the reader's locale ("3 days",
    "٣ أيام"), for how long a view has waited in the queue."""
    since = since.replace(tzinfo=dt.UTC) if since.tzinfo is None else since
    seconds = max(0, int(((now or dt.datetime.now(dt.UTC)) - since).total_seconds()))
    # Rounded to the unit shown, so that the memo below is hit across requests.
    for unit in (86400, 3600, 60):
        if seconds >= unit:
            seconds -= seconds % unit
            break
    return _format_waited(seconds, lang or current_language())


@functools.lru_cache(maxsize=4096)
def _format_waited(seconds: int, lang: str) -> str:
    return format_timedelta(dt.timedelta(seconds=seconds), threshold=1.5, locale=cldr(lang))


def format_day(day: dt.date, width: str = "long", lang: str | None = None) -> str:
    """A calendar day in the reader's locale: "31 March 2026", "31 مارس 2026" (`width` is
    CLDR's: short, medium, long or full)."""
    return format_date(day, format=width, locale=cldr(lang or current_language()))


def format_signed(value: float, lang: str | None = None) -> str:
    """A number with one decimal and its sign, in the locale's symbols (+1.5, −2,0)."""
    locale = cldr(lang or current_language())
    sign = get_plus_sign_symbol(locale) if value > 0 else \
        get_minus_sign_symbol(locale) if value < 0 else ""
    return sign + format_decimal(abs(value), format="#,##0.0", locale=locale)
