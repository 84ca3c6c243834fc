"""The themed summary of one principle, commitment or other code as a Word document.

Built from `reports.Summary` alone, so the report pages, the API and the CLI share it:
never a name or an email (quotes are the moderators' public excerpts, and any address a
moderator overlooked in one is masked here too). Headings are translated with
`force_locale(lang)`, so an app context is needed, not a request.

For right-to-left languages every paragraph, run and table is marked right to left and
the document's default language is set; a quote keeps its own direction (an English quote
in an Arabic document reads left to right), decided by its first strong character, else
its language.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_DIRECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask import current_app, has_request_context
from lxml import etree
from sqlalchemy.orm import Session

from app.db import utcnow
from app.i18n import (
    LANGUAGES,
    country_name,
    force_locale,
    format_day,
    format_number,
    format_share,
    language_name,
    list_separator,
    ngettext,
    pick,
    text_direction,
)
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.labels import ACTOR_TYPES, GENDERS
from app.models import ActorType, Round, TaxonomyItem
from app.regions import region_name
from app.security import external_url
from app.services import ValidationFailed
from app.services.reporting import code_views, reliability, reports
from app.services.reporting.attachments import PublicFile
from app.services.text import pii

MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The children that the schema puts after w:pPr/w:bidi, w:rPr/w:lang and w:sectPr/w:bidi
# (python-docx has no API for those three elements, so they are inserted by hand).
_PPR_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                   "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                   "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_SECTPR_AFTER_BIDI = ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


def build_summary_docx(summary: reports.Summary, lang: str, *,
                       items: Iterable[TaxonomyItem] = (),
                       round_title: Mapping[str, str] | None = None,
                       generated_at: dt.datetime | None = None,
                       coder_agreement: reliability.Agreement | None = None,
                       views: code_views.CodeViews | None = None,
                       views_url: str | None = None) -> bytes:
    """The summary as DOCX bytes, written in `lang` (one of the six UN languages, else
    ValidationFailed on "lang").

    `items` labels the co-occurring codes (`reports.items_for` gives them; codes without an
    item are shown bare); `round_title` is the multilingual title of `summary.filter`'s
    round, if any; `coder_agreement` (from `reliability.agreement`) adds the code's alpha;
    `views` (from `code_views.collect`) adds "What people said", every view quoted, and
    `views_url` the page where a reader finds them all when `views` is a sample.
    """
    if lang not in LANGUAGES:
        raise ValidationFailed({"lang": [_l("Use one of: %(codes)s",
                                            codes=", ".join(LANGUAGES))]})
    labels = {item.code: item for item in items}
    with force_locale(lang):
        writer = _Writer(lang)
        writer.write(summary, labels, round_title, generated_at or utcnow(),
                     coder_agreement=coder_agreement, views=views, views_url=views_url)
        return writer.save()


def summary_docx(session: Session, code: str, f: reports.ReportFilter, lang: str, *,
                 max_views: int | None = None) -> bytes | None:
    """Compute the summary of `code` under `f` and build its document, with every view up
    to `max_views` (default: the SUMMARY_MAX_VIEWS setting); None for an unknown code."""
    if lang not in LANGUAGES:
        raise ValidationFailed({"lang": [_l("Use one of: %(codes)s",
                                            codes=", ".join(LANGUAGES))]})
    found = reports.summary(session, code, f)
    if found is None:
        return None
    items = [item for kind_items in reports.items_for(session, f).values()
             for item in kind_items]
    round_ = session.get(Round, f.round_id) if f.round_id is not None else None
    if max_views is None:
        max_views = current_app.config["SUMMARY_MAX_VIEWS"]
    with force_locale(lang):  # emails masked in the document's language
        views = code_views.collect(session, found.item.code, f, max_views=max_views)
    views_url = None
    if has_request_context():
        views_url = external_url("reports.code_views", lang=lang, code=found.item.code,
                                 **{k: v for k, v in f.to_args().items() if k != "code"})
    return build_summary_docx(found, lang, items=items,
                              round_title=round_.title if round_ is not None else None,
                              coder_agreement=reliability.agreement(session, f),
                              views=views, views_url=views_url)


def filename(code: str, lang: str, *, now: dt.datetime | None = None) -> str:
    """E.g. summary-P2-ar-20261123-1945.docx (call it with a known code only)."""
    return f"summary-{code.upper()}-{lang}-{(now or utcnow()):%Y%m%d-%H%M}.docx"


def direction_of(text: str, language: str | None = None, default: str = "ltr") -> str:
    """"rtl" or "ltr": from the first strong character (as HTML's dir="auto"), else from
    the language, else `default`."""
    for ch in text or "":
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return text_direction(language) if language else default


_share = format_share
_number = format_number


def _mask_emails(text: str) -> str:
    spans = [s for s in pii.find(text) if s.kind == "email"]
    for span in reversed(spans):
        text = text[:span.start] + _("[email removed]") + text[span.end:]
    return text


class _Writer:
    """Writes one document; every paragraph, run and table gets the direction it needs."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.rtl = text_direction(lang) == "rtl"
        self.doc: DocxDocument = Document()
        self._set_defaults()

    # Document-wide settings.

    def _set_defaults(self) -> None:
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_lang(rpr, self.lang)
        if self.rtl:
            ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
            ppr.insert_element_before(OxmlElement("w:bidi"), *_PPR_AFTER_BIDI)
            for section in self.doc.sections:
                section._sectPr.insert_element_before(OxmlElement("w:bidi"),
                                                      *_SECTPR_AFTER_BIDI)
        # Quotes upright and indented on both sides: the template's italics slant Arabic and
        # Chinese, which have no italic, into something hard to read.
        for name in ("Quote", "Intense Quote"):
            style = self.doc.styles[name]
            style.font.italic = False
            style.font.cs_italic = False
            style.paragraph_format.left_indent = style.paragraph_format.right_indent = \
                Cm(0.8)
        props = self.doc.core_properties
        props.author = ""
        props.last_modified_by = ""
        props.comments = ""
        props.language = self.lang

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    # Building blocks.

    def paragraph(self, text: str = "", *, style: str | None = None, container: Any = None,
                  rtl: bool | None = None) -> Paragraph:
        container = container if container is not None else self.doc
        paragraph = container.add_paragraph(style=style)
        self.direct(paragraph, self.rtl if rtl is None else rtl)
        if text:
            self.run(paragraph, text, rtl=rtl)
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        paragraph = self.doc.add_heading(level=level)
        self.direct(paragraph, self.rtl)
        self.run(paragraph, text)
        return paragraph

    def direct(self, paragraph: Paragraph, rtl: bool) -> None:
        """Mark the paragraph's base direction (explicitly off in a right-to-left document,
        where paragraphs are right to left by default)."""
        ppr = paragraph._p.get_or_add_pPr()
        for old in ppr.findall(qn("w:bidi")):
            ppr.remove(old)
        if rtl or self.rtl:
            bidi = OxmlElement("w:bidi")
            if not rtl:
                bidi.set(qn("w:val"), "0")
            ppr.insert_element_before(bidi, *_PPR_AFTER_BIDI)

    def run(self, paragraph: Paragraph, text: str, *, rtl: bool | None = None,
            language: str | None = None, bold: bool = False) -> Run:
        run = paragraph.add_run(text)
        rtl = self.rtl if rtl is None else rtl
        if rtl or self.rtl:  # left to right is the default: say so only when it is not
            run.font.rtl = rtl
        if bold:
            run.bold = True
            run.font.cs_bold = True
        if language and language != self.lang:
            _set_lang(run._r.get_or_add_rPr(), language)
        return run

    def table(self, headers: list[str], rows: list[list[tuple[str, bool | None]]],
              caption: str) -> Table | None:
        """A table with a header row; each cell is (text, whether the text runs right to
        left, or None for the document's direction). Nothing to show: a "None." paragraph."""
        if not rows:
            self.paragraph(_("None."))
            return None
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        if self.rtl:
            table.table_direction = WD_TABLE_DIRECTION.RTL
        caption_element = OxmlElement("w:tblCaption")  # the table's name for screen readers
        caption_element.set(qn("w:val"), caption)
        table._tbl.tblPr.insert_element_before(caption_element, "w:tblDescription",
                                               "w:tblPrChange")
        header_row = table.rows[0]
        tr_pr = header_row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeats, and marks the header row
        for cell, text in zip(header_row.cells, headers, strict=True):
            self._cell(cell, text, None, bold=True)
        for values in rows:
            cells = table.add_row().cells
            for cell, (text, rtl) in zip(cells, values, strict=True):
                self._cell(cell, text, rtl)
        return table

    def _cell(self, cell: Any, text: str, rtl: bool | None, *, bold: bool = False) -> None:
        # Cells follow the table's direction; a code or keyword keeps its own in its run.
        paragraph = cell.paragraphs[0]
        self.direct(paragraph, self.rtl)
        self.run(paragraph, text, rtl=rtl, bold=bold)

    # The document.

    def write(self, summary: reports.Summary, labels: Mapping[str, TaxonomyItem],
              round_title: Mapping[str, str] | None, generated_at: dt.datetime, *,
              coder_agreement: reliability.Agreement | None = None,
              views: code_views.CodeViews | None = None, views_url: str | None = None
              ) -> None:
        lang = self.lang
        item = summary.item
        label, label_lang = pick(item.labels, lang)
        props = self.doc.core_properties
        props.title = f"{item.code} {label}"
        props.created = props.modified = generated_at

        title = self.doc.add_heading(level=0)
        self.direct(title, self.rtl)
        self.run(title, item.code, rtl=False)
        self.run(title, " ")
        self.run(title, label, rtl=direction_of(label, label_lang) == "rtl",
                 language=label_lang)
        self.paragraph(_("Themed summary of approved submissions"), style="Subtitle")
        if item.official.get(label_lang):
            self.paragraph(_("The label is the UN's official wording."))
        else:
            self.paragraph(_("The label is a working translation, not the UN's official "
                             "wording."))
        description, description_lang = pick(item.descriptions, lang)
        if description:
            rtl = direction_of(description, description_lang) == "rtl"
            paragraph = self.paragraph(rtl=rtl)
            self.run(paragraph, description, rtl=rtl, language=description_lang)
        if views is not None:
            self._scope(views, views_url)

        self.heading(_("Filter"), 1)
        lines = _filter_lines(summary.filter, lang, round_title)
        for line in lines or [_("All approved submissions, in every round.")]:
            self.paragraph(line, style="List Bullet" if lines else None)

        self.heading(_("Totals"), 1)
        self.paragraph(_("%(count)s of %(total)s approved submissions (%(share)s) are tagged "
                         "with %(code)s.", count=_number(summary.total, lang),
                         total=_number(summary.base_total, lang),
                         share=_share(summary.share, lang), code=item.code))
        if coder_agreement is not None:
            self._agreement(item.code, coder_agreement)

        self._counts(_("By actor type"), _("Actor type"), summary.actor_types, _actor_label,
                     summary.total)
        self._counts(_("By region"), _("Region"), summary.regions,
                     lambda key: region_name(key, lang) if key != "unknown" else _("Not given"),
                     summary.total)
        self._counts(_("By language"), _("Language"), summary.languages,
                     lambda key: language_name(key, lang), summary.total)

        self.heading(_("Tagged together with"), 1)
        rows = []
        for code, count in summary.co_occurring:
            other = labels.get(code)
            text, text_lang = pick(other.labels, lang) if other is not None else ("", lang)
            rows.append([(code, False), (text, direction_of(text, text_lang) == "rtl"),
                         (_number(count, lang), None)])
        self.table([_("Code"), _("Label"), _("Submissions")], rows,
                   _("Codes tagged together with %(code)s", code=item.code))

        self.heading(_("Top keywords"), 1)
        rows = [[(keyword, direction_of(keyword, None, "rtl" if self.rtl else "ltr") == "rtl"),
                 (_number(count, lang), None)] for keyword, count in summary.keywords]
        self.table([_("Keyword"), _("Submissions")], rows, _("Top keywords"))

        if views is not None:
            self._views(views, labels)
        else:
            self._quotes(summary.quotes)

        self.paragraph(_("Generated on %(date)s (UTC).",
                         date=format_day(generated_at.astimezone(dt.UTC).date(),
                                         "long", lang)))

    def _agreement(self, code: str, coder_agreement: reliability.Agreement) -> None:
        """Krippendorff's alpha of the code (principles and commitments are double coded)."""
        row = coder_agreement.for_code(code)
        if row is None:
            return
        self.heading(_("Coder agreement"), 1)
        units = _number(coder_agreement.units, self.lang)
        if row.alpha is None:
            self.paragraph(_("Krippendorff's alpha for %(code)s: not enough data (%(units)s "
                             "submissions coded independently by two moderators).",
                             code=code, units=units))
        else:
            self.paragraph(_("Krippendorff's alpha for %(code)s: %(alpha)s, over %(units)s "
                             "submissions coded independently by two moderators.", code=code,
                             alpha=_number(round(row.alpha, 2), self.lang), units=units))

    def _counts(self, heading: str, column: str, counts: Mapping[str, int], name: Any,
                total: int) -> None:
        self.heading(heading, 1)
        ordered = sorted(counts.items(), key=lambda pair: (-pair[1], str(pair[0])))
        rows = [[(name(key), None), (_number(count, self.lang), None),
                 (_share(count / total if total else 0.0, self.lang), None)]
                for key, count in ordered]
        self.table([column, _("Submissions"), _("Share")], rows, heading)

    def _scope(self, views: code_views.CodeViews, views_url: str | None) -> None:
        """On the first page: how many of the code's views the document quotes."""
        lang = self.lang
        if not views.total:
            return
        if not views.sampled:
            self.paragraph(ngettext(
                "This document quotes the %(count)s approved view tagged with %(code)s.",
                "This document quotes all %(count)s approved views tagged with %(code)s.",
                views.total, count=_number(views.total, lang), code=views.code))
            return
        paragraph = self.paragraph()
        self.run(paragraph, _(
            "This document quotes %(included)s of the %(total)s approved views tagged with "
            "%(code)s: a sample in proportion to each actor type and region, with at least "
            "one view from each.", included=_number(views.included, lang),
            total=_number(views.total, lang), code=views.code), bold=True)
        self.paragraph(_(
            "To get them all, read them on the platform (Reports, then the code, then "
            "\"Read the views\"), download the CSV or JSON Lines export with the same "
            "filters, or narrow the filters until no more than %(limit)s views match.",
            limit=_number(views.included, lang)))
        if views_url:
            paragraph = self.paragraph()
            self.run(paragraph, views_url, rtl=False)

    def _views(self, views: code_views.CodeViews, labels: Mapping[str, TaxonomyItem]) -> None:
        """"What people said": every view quoted, by group, highlights first."""
        self.heading(_("What people said"), 1)
        if not views.groups:
            self.paragraph(_("None."))
            return
        self.paragraph(_(
            "Views are grouped by the themes and technology areas moderators tagged them "
            "with, largest group first. A view with several is listed once, under the one "
            "most views of this code share; its other codes are shown with it. In each "
            "group, the views a moderator highlighted come first."))
        if any(group.subthemes for group in views.groups):
            self.paragraph(_(
                "Sub-themes inside groups of more than %(count)s views were found by a "
                "machine that compares the wording of the views; no moderator checked them, "
                "and a view may sit in the wrong one. Every view of the group is listed in "
                "one of them.", count=_number(code_views.SUBTHEME_MIN_GROUP, self.lang)))
        for group in views.groups:
            self._group(group, labels)

    def _group(self, group: code_views.Group, labels: Mapping[str, TaxonomyItem]) -> None:
        lang, rtl = self.lang, self.rtl
        count = ngettext("%(count)s view", "%(count)s views", group.size,
                         count=_number(group.size, lang))
        if group.code == code_views.NO_GROUP:
            runs = [(_("No theme or technology area"), rtl, None, False)]
        else:
            runs = [(group.code, False, None, False)]
            item = labels.get(group.code)
            if item is not None:
                label, label_lang = pick(item.labels, lang)
                runs += [(" · ", rtl, None, False),
                         (label, direction_of(label, label_lang) == "rtl", label_lang, False)]
        runs.append((f" ({count})", rtl, None, False))
        self._fast_paragraph(runs, rtl=rtl, style=self._style_ids["Heading 2"],
                             keep_next=True)
        total = group.size
        actors = sorted(group.actor_types.items(), key=lambda pair: (-pair[1], pair[0]))
        regions = sorted(group.regions.items(), key=lambda pair: (-pair[1], pair[0]))
        for label, value in (
                (_("By actor type"), list_separator(lang).join(
                    f"{_actor_label(key)} {_number(n, lang)} ({_share(n / total, lang)})"
                    for key, n in actors)),
                (_("By region"), list_separator(lang).join(
                    f"{_region_label(key, lang)} {_number(n, lang)} ({_share(n / total, lang)})"
                    for key, n in regions))):
            self._fast_paragraph([(_("%(label)s: %(value)s", label=label, value=value), rtl,
                                   None, False)], rtl=rtl)
        if group.highlighted:
            self._fast_paragraph([(_("Highlighted by moderators"), rtl, None, False)], rtl=rtl,
                                 style=self._style_ids["Heading 3"], keep_next=True)
            for view in group.highlighted:
                self._view(view)
        if group.subthemes:
            for number, sub in enumerate(group.subthemes, 1):
                self._subtheme(number, sub)
        else:
            if group.highlighted and group.others:
                self._fast_paragraph([(_("Other views"), rtl, None, False)], rtl=rtl,
                                     style=self._style_ids["Heading 3"], keep_next=True)
            for view in group.others:
                self._view(view)

    def _subtheme(self, number: int, sub: code_views.SubTheme) -> None:
        lang, rtl = self.lang, self.rtl
        count = ngettext("%(count)s view", "%(count)s views", len(sub.views),
                         count=_number(len(sub.views), lang))
        if sub.words:
            words = " · ".join(sub.words)
            runs = [(_spaced(_("Sub-theme %(number)s (machine-made):",
                                 number=_number(number, lang))), rtl, None, False),
                    (words, direction_of(words, sub.language) == "rtl", sub.language, False)]
        elif sub.language:
            runs = [(_("Other views in %(language)s",
                       language=language_name(sub.language, lang)), rtl, None, False)]
        else:
            runs = [(_("Other views, language not given"), rtl, None, False)]
        runs.append((f" ({count})", rtl, None, False))
        self._fast_paragraph(runs, rtl=rtl, style=self._style_ids["Heading 3"],
                             keep_next=True)
        if sub.representative and sub.words:
            self._fast_paragraph([(ngettext(
                "The view most typical of this sub-theme comes first.",
                "The %(count)s views most typical of this sub-theme come first.",
                len(sub.representative), count=_number(len(sub.representative), lang)),
                rtl, None, False)], rtl=rtl)
        for view in sub.views:
            self._view(view)

    def _view(self, view: code_views.View) -> None:
        """One view: its title and public text in their own language and direction, the
        moderator's highlight if any, then what the reader needs to place it.

        Written straight as WordprocessingML (`_fast_paragraph`): through python-docx's
        objects, a view cost 20 ms (style lookups by name, schema-ordered inserts), a
        minute for 3,000 views."""
        lang = self.lang
        language = view.language
        if view.highlight:
            rtl = direction_of(view.highlight, language) == "rtl"
            self._fast_paragraph([(view.highlight, rtl, language, False)], rtl=rtl,
                                 style=self._style_ids["Intense Quote"])
        if view.title:
            rtl = direction_of(view.title, language) == "rtl"
            self._fast_paragraph([(view.title, rtl, language, True)], rtl=rtl,
                                 keep_next=True)
        parts = [p.strip() for p in view.text.split("\n\n") if p.strip()] or [""]
        for part in parts:
            rtl = direction_of(part, language) == "rtl"
            self._fast_paragraph([(part, rtl, language, False)], rtl=rtl,
                                 style=self._style_ids["Quote"])
        facts = [_actor_label(view.actor_type), _region_label(view.region, lang)]
        if view.organisation:
            facts.insert(1, _("on behalf of %(organisation)s", organisation=view.organisation))
        if view.country:
            facts.append(country_name(view.country, lang))
        if language:
            facts.append(language_name(language, lang))
        facts.append(format_day(view.created_at.astimezone(dt.UTC).date(), "long", lang))
        runs = [(_("Reference %(reference)s", reference=""), self.rtl, None, False),
                (view.reference, False, None, False),
                (" · " + " · ".join(facts), self.rtl, None, False)]
        if view.codes:
            runs += [(" · " + _spaced(_("Also tagged:")), self.rtl, None, False),
                     (", ".join(view.codes), False, None, False)]
        self._fast_paragraph(runs, rtl=self.rtl)
        if view.attachments:
            self._attachments(view.attachments)

    def _attachments(self, files: list[PublicFile]) -> None:
        """Under a view: "Attachments: name (12 pages), name" (the files a moderator made
        public), each name in its own direction."""
        lang, rtl = self.lang, self.rtl
        runs = [(_spaced(_("Attachments:")), rtl, None, False)]
        for number, item in enumerate(files):
            if number:
                runs.append((list_separator(lang), rtl, None, False))
            name = item.filename or "?"
            runs.append((name, direction_of(name) == "rtl", None, False))
            if item.page_count:
                runs.append((" " + ngettext("(%(count)s page)", "(%(count)s pages)",
                                            item.page_count,
                                            count=_number(item.page_count, lang)),
                             rtl, None, False))
        self._fast_paragraph(runs, rtl=rtl)

    @functools.cached_property
    def _style_ids(self) -> dict[str, str]:
        return {name: self.doc.styles[name].style_id
                for name in ("Quote", "Intense Quote", "Heading 2", "Heading 3")}

    def _fast_paragraph(self, runs: list[tuple[str, bool, str | None, bool]], *, rtl: bool,
                        style: str | None = None, keep_next: bool = False) -> None:
        """Append a paragraph of (text, right to left, language, bold) runs to the body,
        marked as `paragraph` and `run` would mark it."""
        p = etree.Element(_W_P)
        ppr = etree.SubElement(p, _W_PPR)
        if style:
            etree.SubElement(ppr, _W_PSTYLE).set(_W_VAL, style)
        if keep_next:
            etree.SubElement(ppr, _W_KEEPNEXT)
        if rtl or self.rtl:
            bidi = etree.SubElement(ppr, _W_BIDI)
            if not rtl:
                bidi.set(_W_VAL, "0")
        for text, run_rtl, language, bold in runs:
            r = etree.SubElement(p, _W_R)
            rpr = etree.SubElement(r, _W_RPR)
            if bold:
                etree.SubElement(rpr, _W_B)
                etree.SubElement(rpr, _W_BCS)
            if run_rtl or self.rtl:
                element = etree.SubElement(rpr, _W_RTL)
                if not run_rtl:
                    element.set(_W_VAL, "0")
            if language and language != self.lang:
                _lang_attributes(etree.SubElement(rpr, _W_LANG), language)
            if not len(rpr):
                r.remove(rpr)
            for number, line in enumerate(_CONTROL.sub("", text).split("\n")):
                if number:
                    etree.SubElement(r, _W_BR)
                t = etree.SubElement(r, _W_T)
                t.text = line
                t.set(_XML_SPACE, "preserve")
        self._body_end.addprevious(p)

    @functools.cached_property
    def _body_end(self) -> Any:
        return self.doc.element.body.find(qn("w:sectPr"))

    def _quotes(self, quotes: Mapping[str, list[reports.Quote]]) -> None:
        self.heading(_("Highlights"), 1)
        if not any(quotes.values()):
            self.paragraph(_("None."))
            return
        order = [a.value for a in ActorType] + ["unknown"]
        for actor in sorted(quotes, key=lambda key: order.index(key) if key in order else 99):
            if not quotes[actor]:
                continue
            self.heading(_actor_label(actor), 2)
            for quote in quotes[actor]:
                rtl = direction_of(quote.text, quote.language) == "rtl"  # before masking
                text = _mask_emails(quote.text)
                paragraph = self.paragraph(style="Quote", rtl=rtl)
                self.run(paragraph, text, rtl=rtl, language=quote.language)
                about = [_("Reference %(reference)s", reference=quote.reference)]
                if quote.organisation:
                    about.append(_("on behalf of %(organisation)s",
                                   organisation=quote.organisation))
                if quote.language:
                    about.append(language_name(quote.language, self.lang))
                if quote.country:
                    about.append(country_name(quote.country, self.lang))
                self.paragraph(" · ".join(about))


def _filter_lines(f: reports.ReportFilter, lang: str,
                  round_title: Mapping[str, str] | None) -> list[str]:
    """The filter in words, one line per criterion set (the code is the title)."""
    lines: list[str] = []

    def add(label: str, value: str) -> None:
        lines.append(_("%(label)s: %(value)s", label=label, value=value))

    if f.round_id is not None:
        title = pick(round_title, lang)[0] if round_title else ""
        add(_("Round"), title or _("Round %(number)s", number=_number(f.round_id, lang)))
    if f.date_from:
        add(_("From (date)"), format_day(f.date_from, "long", lang))
    if f.date_to:
        add(_("To (date)"), format_day(f.date_to, "long", lang))
    if f.language:
        add(_("Language"), language_name(f.language, lang))
    if f.actor_type is not None:
        add(_("Actor type"), str(ACTOR_TYPES[f.actor_type]))
    if f.region:
        add(_("Region"), region_name(f.region, lang))
    if f.youth is not None:
        add(_("Age"), _("Under 25") if f.youth else _("25 or over"))
    if f.gender is not None:
        add(_("Gender"), str(GENDERS[f.gender]))
    if f.paragraph:
        add(_("Paragraph of the strategy"), f.paragraph)
    return lines


def _region_label(key: str, lang: str) -> str:
    return region_name(key, lang) if key != "unknown" else _("Not given")


def _actor_label(key: str) -> str:
    try:
        return str(ACTOR_TYPES[ActorType(key)])
    except ValueError:
        return _("Not given")


_W_P, _W_PPR, _W_PSTYLE, _W_KEEPNEXT, _W_BIDI, _W_R, _W_RPR, _W_B, _W_BCS, _W_RTL, \
    _W_LANG, _W_BR, _W_T, _W_VAL = (qn(f"w:{name}") for name in (
        "p", "pPr", "pStyle", "keepNext", "bidi", "r", "rPr", "b", "bCs", "rtl", "lang", "br",
        "t", "val"))
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Characters XML 1.0 cannot hold (a pasted text may carry them); tabs and newlines stay.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _spaced(label: str) -> str:
    """A label ending in a colon, then a space (none after Chinese's full-width colon)."""
    return label if label.endswith("：") else label + " "


def _lang_attributes(element: Any, language: str) -> None:
    """The w:lang slot for `language`: complex script for right-to-left languages, East
    Asian for Chinese, Latin otherwise."""
    if text_direction(language) == "rtl":
        element.set(qn("w:bidi"), language)
    elif language.startswith("zh"):
        element.set(qn("w:eastAsia"), "zh-CN" if language == "zh" else language)  # Simplified
    else:
        element.set(qn("w:val"), language)


def _set_lang(rpr: Any, language: str) -> None:
    """Set w:lang on a w:rPr: the complex-script slot for right-to-left languages, the East
    Asian slot for Chinese, the Latin slot otherwise."""
    element = rpr.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        rpr.insert_element_before(element, *_RPR_AFTER_LANG)
    _lang_attributes(element, language)
