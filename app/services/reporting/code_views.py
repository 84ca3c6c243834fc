"""What people said about one code: the approved views tagged with it, as the reference
group reads them in the Word summary and in the browser.

Only what may leave moderation: the public text (the redacted version when there is one)
and the public title, the reference, actor type, country and region, language, date, the
moderator's highlight and the other codes. Never the original text or title of a redacted
view, never a name or an email (addresses a moderator overlooked are masked here).

Views are grouped by the theme and technology tags moderators gave them. A view carrying
several is listed once, under the group of the code that most views of this code carry
(`group_order`), so that every view is read once and the groups add up to the total; the
group without a theme or technology comes last. Groups are shown largest first.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.i18n import gettext as _
from app.models import (
    Answer,
    ItemKind,
    Organisation,
    Submission,
    SubmissionTag,
    TagSource,
    TaxonomyItem,
)
from app.models.submission import public_title
from app.regions import region_of
from app.services.reporting import reports
from app.services.reporting.attachments import PublicFile, public_files
from app.services.text import pii

GROUP_KINDS = (ItemKind.THEME, ItemKind.TECHNOLOGY)
NO_GROUP = "none"  # the key of the views without a theme or technology tag
SUBTHEME_MIN_GROUP = 40  # sub-themes inside groups of more views than this
SUBTHEME_MIN_PART = 20  # views of one language needed to cluster them
REPRESENTATIVES = 3
CHUNK = 500  # ids per IN (...) list


@dataclass
class View:
    id: int
    reference: str
    title: str  # the public title ("" when withheld)
    text: str  # the public text, emails masked
    language: str | None
    actor_type: str  # an ActorType value, or "unknown"
    country: str | None
    region: str  # an M49 region code, or "unknown"
    created_at: dt.datetime
    highlight: str | None
    codes: list[str] = field(default_factory=list)  # the other codes, in taxonomy order
    organisation: str | None = None  # sent on behalf of (issue #21), for the reference group
    # The files a moderator marked public (issue #21), in the contributor's order.
    attachments: list[PublicFile] = field(default_factory=list)


@dataclass
class SubTheme:
    """Views of one language inside a group, found similar by clustering (machine-made)."""
    language: str | None
    words: list[str]  # the most distinctive words, in the views' language; [] = leftovers
    representative: list[View]
    others: list[View]

    @property
    def views(self) -> list[View]:
        return [*self.representative, *self.others]


@dataclass
class Group:
    code: str  # a theme or technology code, or NO_GROUP
    highlighted: list[View]
    others: list[View]  # newest first, when there are no sub-themes
    subthemes: list[SubTheme] = field(default_factory=list)

    @property
    def views(self) -> list[View]:
        if self.subthemes:
            return [*self.highlighted, *(v for s in self.subthemes for v in s.views)]
        return [*self.highlighted, *self.others]

    @property
    def size(self) -> int:
        return len(self.highlighted) + len(self.others) + sum(len(s.views)
                                                             for s in self.subthemes)

    @property
    def actor_types(self) -> dict[str, int]:
        return dict(Counter(v.actor_type for v in self.views))

    @property
    def regions(self) -> dict[str, int]:
        return dict(Counter(v.region for v in self.views))


@dataclass
class CodeViews:
    code: str
    total: int  # approved views of the code under the filter
    groups: list[Group]

    @property
    def included(self) -> int:
        return sum(group.size for group in self.groups)

    @property
    def sampled(self) -> bool:
        return self.included < self.total


def mask_emails(text: str) -> str:
    """The text with any email address replaced by a note (in the current locale)."""
    spans = [s for s in pii.find(text) if s.kind == "email"]
    for span in reversed(spans):
        text = text[:span.start] + _("[email removed]") + text[span.end:]
    return text


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def group_order(session: Session, themed: reports.ReportFilter) -> list[str]:
    """The theme and technology codes on views of `themed.code`, most views first (ties by
    code): a view with several is listed under the first of them."""
    counts: Counter[str] = Counter()
    for kind in GROUP_KINDS:
        counts.update(reports.count_by_tag(session, themed, kind))
    return [code for code, _n in sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))]


def _tags(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[ItemKind, int, str]]]:
    """(kind, position, code) of each view's moderator tags."""
    out: dict[int, list[tuple[ItemKind, int, str]]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = session.execute(
            select(SubmissionTag.submission_id, TaxonomyItem.kind, TaxonomyItem.position,
                   TaxonomyItem.code)
            .join(TaxonomyItem, TaxonomyItem.id == SubmissionTag.item_id)
            .where(SubmissionTag.submission_id.in_(chunk),
                   SubmissionTag.source == TagSource.MODERATOR))
        for sid, kind, position, code in rows:
            out[sid].append((kind, position or 0, code))
    return out


def load_views(session: Session, ids: Sequence[int], subject: str) -> list[View]:
    """The views of `ids` (in that order), with their other codes than `subject`."""
    if not ids:
        return []
    rows: dict[int, Any] = {}
    for chunk in _chunks(ids):
        for row in session.execute(
                select(Submission.id, Submission.reference, Submission.title, Submission.body,
                       Submission.redacted_text, Submission.redacted_title,
                       Submission.language, Submission.actor_type, Submission.country,
                       Submission.created_at, Submission.highlight,
                       Organisation.name.label("organisation"))
                .outerjoin(Organisation, Organisation.submission_id == Submission.id)
                .where(Submission.id.in_(chunk))):
            rows[row.id] = row
    answers: dict[int, list[str]] = defaultdict(list)
    unredacted = [i for i in ids if i in rows and rows[i].redacted_text is None]
    for chunk in _chunks(unredacted):
        for sid, text in session.execute(
                select(Answer.submission_id, Answer.text).where(Answer.submission_id.in_(chunk))
                .order_by(Answer.submission_id, Answer.position)):
            answers[sid].append(text)
    kind_order = list(ItemKind)
    tags = _tags(session, ids)
    files = public_files(session, ids)
    views = []
    for sid in ids:
        row = rows.get(sid)
        if row is None:
            continue
        if row.redacted_text is not None:
            text = row.redacted_text
        else:  # Submission.full_text
            text = "\n\n".join(p for p in [*answers.get(sid, []), row.body] if p)
        codes = [code for kind, _pos, code in
                 sorted(tags.get(sid, []), key=lambda t: (kind_order.index(t[0]), t[1], t[2]))
                 if code != subject]
        views.append(View(
            id=sid, reference=row.reference,
            title=mask_emails(public_title(row.title, row.redacted_text, row.redacted_title)),
            text=mask_emails(text), language=row.language,
            actor_type=row.actor_type.value if row.actor_type is not None else "unknown",
            country=row.country, region=region_of(row.country) or "unknown",
            created_at=row.created_at,
            highlight=mask_emails(row.highlight) if row.highlight else None, codes=codes,
            organisation=row.organisation,
            attachments=files.get(sid, [])))
    return views


def stratified_sample(cells: dict[Any, list[int]], limit: int) -> list[int]:
    """`limit` ids drawn from `cells` (each a list in order of preference), in proportion to
    each cell's size, at least one from every non-empty cell (the largest cells first when
    there are more cells than `limit`)."""
    cells = {key: ids for key, ids in cells.items() if ids}
    total = sum(len(ids) for ids in cells.values())
    if total <= limit:
        return [i for ids in cells.values() for i in ids]
    by_size = sorted(cells, key=lambda key: (-len(cells[key]), str(key)))
    if len(cells) >= limit:
        return [cells[key][0] for key in by_size[:limit]]
    exact = {key: len(ids) * limit / total for key, ids in cells.items()}
    quota = {key: min(len(cells[key]), max(1, math.floor(exact[key]))) for key in cells}
    while sum(quota.values()) < limit:  # largest remainders first
        key = max((k for k in by_size if quota[k] < len(cells[k])),
                  key=lambda k: exact[k] - quota[k])
        quota[key] += 1
    while sum(quota.values()) > limit:  # the floor of one pushed it over: trim the largest
        key = max((k for k in by_size if quota[k] > 1), key=lambda k: quota[k] - exact[k])
        quota[key] -= 1
    return [i for key in by_size for i in cells[key][:quota[key]]]


def collect(session: Session, code: str, f: reports.ReportFilter, *, max_views: int
            ) -> CodeViews | None:
    """Every approved view of `code` under `f`, grouped (None for an unknown code). Above
    `max_views`, a sample stratified by actor type and region (highlighted views first in
    each cell, then a fixed pseudo-random order, so the same filter gives the same views)."""
    item = reports.find_item(session, code, f)
    if item is None:
        return None
    themed = replace(f, code=item.code)
    rows = session.execute(
        select(Submission.id, Submission.reference, Submission.actor_type, Submission.country,
               Submission.highlight.is_not(None))
        .where(*reports.conditions(themed, counting=True))).all()
    total = len(rows)
    if total > max_views:
        cells: dict[tuple[str, str], list[tuple[bool, str, int]]] = defaultdict(list)
        for sid, reference, actor, country, highlighted in rows:
            key = (actor.value if actor is not None else "unknown",
                   region_of(country) or "unknown")
            cells[key].append((not highlighted,
                               hashlib.sha256(reference.encode()).hexdigest(), sid))
        ids = stratified_sample({key: [sid for *_k, sid in sorted(members)]
                                 for key, members in cells.items()}, max_views)
    else:
        ids = [row[0] for row in rows]
    del rows
    ids.sort()
    views = load_views(session, ids, item.code)
    order = group_order(session, themed)
    rank = {c: i for i, c in enumerate(order)}
    members: dict[str, list[View]] = defaultdict(list)
    for view in views:
        carried = [rank[c] for c in view.codes if c in rank]
        members[order[min(carried)] if carried else NO_GROUP].append(view)
    groups = [make_group(key, found) for key, found in members.items()]
    groups.sort(key=lambda g: (g.code == NO_GROUP, -g.size, rank.get(g.code, 0)))
    return CodeViews(code=item.code, total=total, groups=groups)


def make_group(code: str, views: list[View]) -> Group:
    """Highlights first, then the others newest first, or in sub-themes when many."""
    newest = sorted(views, key=lambda v: (v.created_at, v.id), reverse=True)
    highlighted = [v for v in newest if v.highlight]
    others = [v for v in newest if not v.highlight]
    if len(views) > SUBTHEME_MIN_GROUP:
        return Group(code, highlighted, [], subthemes(others))
    return Group(code, highlighted, others)


# Sub-themes: machine-made, offline, with scikit-learn.

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W\d_]{3,}")
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def _words(text: str) -> list[str]:
    """Words for titles: letters-only words, lower-cased, of four letters or more (three in
    Arabic, whose short words carry meaning: fewer "the", "for", "und"); Chinese, which
    has no spaces, as pairs of characters."""
    text = unicodedata.normalize("NFKC", text)
    words = []
    for chunk in _HAN.findall(text):
        words.extend(chunk[i:i + 2] for i in range(len(chunk) - 1))
    words.extend(w.lower() for w in _WORD.findall(_HAN.sub(" ", text))
                 if len(w) > 3 or _ARABIC.match(w))
    return words


def subthemes(views: list[View]) -> list[SubTheme]:
    """Cluster each language's views by their wording (TF-IDF over character n-grams within
    one script, then k-means); each sub-theme is titled by the words most particular to it
    and starts with its views nearest the centre. A language with too few views for that
    makes one untitled sub-theme. Largest first."""
    from threadpoolctl import threadpool_limits

    by_language: dict[str | None, list[View]] = defaultdict(list)
    for view in views:
        by_language[view.language].append(view)
    found: list[SubTheme] = []
    # One thread: these matrices are small, and BLAS or OpenMP threads spinning on a
    # server's busy cores made each decomposition and k-means 50 times slower.
    with threadpool_limits(1):
        for language, part in by_language.items():
            if len(part) < SUBTHEME_MIN_PART:
                found.append(SubTheme(language, [], [], part))
                continue
            found.extend(_cluster(language, part))
    found.sort(key=lambda s: (not s.words, -len(s.views), s.language or ""))
    return found


def _cluster(language: str | None, views: list[View]) -> list[SubTheme]:
    """k-means over the views' TF-IDF character n-grams: in Chinese, characters and pairs
    of them; in other scripts, three and four letters inside words, which bear Arabic and
    Russian inflection. About sqrt(n / 8) sub-themes, two to six."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{v.title}\n{v.text}" for v in views]
    han = (language or "").startswith("zh")
    try:
        matrix = TfidfVectorizer(analyzer="char" if han else "char_wb",
                                 ngram_range=(1, 2) if han else (3, 4), min_df=2, max_df=0.9,
                                 sublinear_tf=True, max_features=5_000,
                                 dtype=np.float32).fit_transform(texts)
    except ValueError:  # nothing shared between the texts
        return [SubTheme(language, [], [], views)]
    k = min(max(2, min(6, round(math.sqrt(len(views) / 8)))), len(set(texts)))
    if k < 2:
        return [SubTheme(language, [], [], views)]
    model = KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=0).fit(matrix)
    labels = model.labels_
    words = [Counter(_words(text)) for text in texts]
    titles = _titles([[words[i] for i in range(len(views)) if labels[i] == c]
                      for c in range(k)])
    found = []
    for c in range(k):
        members = [i for i in range(len(views)) if labels[i] == c]
        if not members:
            continue
        closeness = np.asarray(matrix[members] @ model.cluster_centers_[c]).ravel()
        ranked = [members[j] for j in np.argsort(-closeness, kind="stable")]
        representative = ranked[:REPRESENTATIVES]
        rest = sorted(set(members) - set(representative),
                      key=lambda i: (views[i].created_at, views[i].id), reverse=True)
        found.append(SubTheme(language, titles[c], [views[i] for i in representative],
                              [views[i] for i in rest]))
    return found


def _titles(clusters: list[list[Counter[str]]], size: int = 3) -> list[list[str]]:
    """The words most particular to each cluster: used by a larger share of its views than
    of all the views (p * log(p / q), p and q those shares), among words at least two of
    its views use. Words every view uses ("that", "should") score nothing."""
    everywhere: Counter[str] = Counter()
    for members in clusters:
        for words in members:
            everywhere.update(words.keys())
    total = sum(len(members) for members in clusters) or 1
    titles = []
    for members in clusters:
        documents: Counter[str] = Counter()
        for words in members:
            documents.update(words.keys())
        n = len(members) or 1
        scored = []
        for word, count in documents.items():
            if count < 2:
                continue
            p, q = count / n, everywhere[word] / total
            score = p * math.log(p / q)
            if score > 0:
                scored.append((-score, word))
        titles.append([word for _score, word in sorted(scored)[:size]])
    return titles


# The browser: one group at a time, a page at a time, the same grouping in SQL.

def _carries(codes: Sequence[str]) -> Any:
    tag, item = aliased(SubmissionTag), aliased(TaxonomyItem)
    return exists().where(tag.submission_id == Submission.id, tag.source == TagSource.MODERATOR,
                          tag.item_id == item.id, item.code.in_(list(codes)))


def _in_group(order: list[str], key: str) -> Any:
    """SQL: the view belongs to group `key` (see the module's docstring)."""
    if key == NO_GROUP:
        return ~_carries(order) if order else True
    earlier = order[:order.index(key)]
    carries = _carries([key])
    return and_(carries, ~_carries(earlier)) if earlier else carries


def group_sizes(session: Session, themed: reports.ReportFilter, order: list[str]
                ) -> dict[str, int]:
    """How many views each group holds, in one pass over the tags of the code's views."""
    total = reports.total(session, themed)
    if not order:
        return {NO_GROUP: total} if total else {}
    rank = case({code: i for i, code in enumerate(order)}, value=TaxonomyItem.code)
    first = (select(func.min(rank).label("r"))
             .select_from(Submission)
             .join(SubmissionTag, and_(SubmissionTag.submission_id == Submission.id,
                                       SubmissionTag.source == TagSource.MODERATOR))
             .join(TaxonomyItem, TaxonomyItem.id == SubmissionTag.item_id)
             .where(*reports.conditions(themed, counting=True),
                    TaxonomyItem.code.in_(order))
             .group_by(Submission.id).subquery())
    sizes = {order[r]: n for r, n in session.execute(
        select(first.c.r, func.count()).group_by(first.c.r))}
    rest = total - sum(sizes.values())
    if rest:
        sizes[NO_GROUP] = rest
    return sizes


@dataclass
class GroupPage:
    code: str
    size: int
    actor_types: dict[str, int]
    regions: dict[str, int]
    views: list[View]  # this page: highlights first, then newest first, or by sub-theme
    # Sub-themes starting on this page: position on the page -> {"number", "words",
    # "language", "size", "representative"} (see `group_listing`).
    subthemes: dict[int, dict[str, Any]] = field(default_factory=dict)
    listed: bool = False  # in the Word summary's order, with sub-themes


def group_listing(session: Session, themed: reports.ReportFilter, order: list[str],
                  key: str) -> dict[str, Any]:
    """The views of a group in the Word summary's order, as plain data a cache can keep:
    their ids (highlights first, then sub-theme by sub-theme, each starting with its most
    representative views) and where each sub-theme starts. For groups of at most
    SUMMARY_MAX_VIEWS views: clustering reads every text of the group."""
    ids = list(session.scalars(select(Submission.id).where(*reports.conditions(themed),
                                                           _in_group(order, key))))
    group = make_group(key, load_views(session, ids, themed.code or ""))
    subthemes = []
    start = len(group.highlighted)
    for number, sub in enumerate(group.subthemes, 1):
        subthemes.append({"start": start, "number": number, "words": sub.words,
                          "language": sub.language, "size": len(sub.views),
                          "representative": len(sub.representative) if sub.words else 0})
        start += len(sub.views)
    return {"ids": [view.id for view in group.views], "subthemes": subthemes}


def group_page(session: Session, themed: reports.ReportFilter, order: list[str], key: str,
               size: int, *, page: int, per_page: int,
               listing: dict[str, Any] | None = None) -> GroupPage:
    """One page of a group's views, and the group's counts by actor type and region. With
    `listing` (from `group_listing`), the page follows it; else highlights first, then
    newest first."""
    where = [*reports.conditions(themed), _in_group(order, key)]
    actors: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    for actor, country, n in session.execute(
            select(Submission.actor_type, Submission.country, func.count())
            .where(*where).group_by(Submission.actor_type, Submission.country)):
        actors[actor.value if actor is not None else "unknown"] += n
        regions[region_of(country) or "unknown"] += n
    offset = (page - 1) * per_page
    subthemes: dict[int, dict[str, Any]] = {}
    if listing is not None:
        ids = listing["ids"][offset:offset + per_page]
        for sub in listing["subthemes"]:
            if offset <= sub["start"] < offset + per_page:
                subthemes[sub["start"] - offset] = sub
    else:
        ids = list(session.scalars(
            select(Submission.id).where(*where)
            .order_by(Submission.highlight.is_(None), Submission.created_at.desc(),
                      Submission.id.desc())
            .limit(per_page).offset(offset)))
    return GroupPage(key, size, dict(actors), dict(regions),
                     load_views(session, ids, themed.code or ""), subthemes,
                     listed=bool(listing and listing["subthemes"]))
