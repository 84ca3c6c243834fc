"""Consultation rounds: creating them and finding the ones open now."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.db import utcnow
from app.i18n import LANGUAGES
from app.models import Question, Round, StrategyVersion
from app.services import NotFound, ValidationFailed
from app.services import taxonomy as taxonomy_service


def list_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.opens_at.desc(), Round.id.desc())))


def open_rounds(session: Session, now: dt.datetime | None = None) -> list[Round]:
    now = now or utcnow()
    return list(session.scalars(
        select(Round).options(selectinload(Round.questions))
        .where(Round.opens_at <= now, Round.closes_at > now)
        .order_by(Round.closes_at, Round.id)))


def featured_round(session: Session, now: dt.datetime | None = None) -> Round | None:
    """The round the home page presents: the open one closing soonest, else the next to
    open, else the one that closed last."""
    now = now or utcnow()
    open_now = open_rounds(session, now)
    if open_now:
        return open_now[0]
    upcoming = session.scalar(select(Round).where(Round.opens_at > now)
                              .order_by(Round.opens_at).limit(1))
    if upcoming:
        return upcoming
    return session.scalar(select(Round).order_by(Round.closes_at.desc()).limit(1))


def get_round(session: Session, round_id: int) -> Round:
    found = session.get(Round, round_id)
    if found is None:
        raise NotFound(_l("This consultation round does not exist."))
    return found


def create_round(session: Session, *, title: dict[str, str], description: dict[str, str],
                 questions: Sequence[dict[str, str]], opens_at: dt.datetime,
                 closes_at: dt.datetime, strategy_version: StrategyVersion | None = None
                 ) -> Round:
    errors: dict[str, list] = {}
    if not any(v.strip() for v in title.values()):
        errors["title"] = [_l("A round needs a title in at least one language.")]
    unknown = sorted((set(title) | set(description)) - set(LANGUAGES))
    if unknown:
        errors["lang"] = [_l("Unknown language code: %(codes)s", codes=", ".join(unknown))]
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        errors["opens_at"] = [_l("Give times with a time zone (UTC).")]
    elif closes_at <= opens_at:
        errors["closes_at"] = [_l("A round must close after it opens.")]
    strategy_version = strategy_version or taxonomy_service.current_version(session)
    if strategy_version is None:
        errors["strategy_version"] = [_l("Load the taxonomy before creating a round.")]
    if errors:
        raise ValidationFailed(errors)
    new_round = Round(strategy_version=strategy_version, title=dict(title),
                      description=dict(description), opens_at=opens_at, closes_at=closes_at)
    new_round.questions = [Question(position=i, text=dict(text))
                           for i, text in enumerate(questions)]
    session.add(new_round)
    session.flush()
    return new_round


DEMO_ROUND = {
    "title": {
        "en": "How should the United Nations engage with new technologies?",
        "ar": "كيف ينبغي للأمم المتحدة أن تتعامل مع التكنولوجيات الجديدة؟",
        "zh": "联合国应如何应对新技术？",
        "fr": "Comment l'Organisation des Nations Unies doit-elle aborder les nouvelles technologies ?",
        "ru": "Как Организации Объединенных Наций следует работать с новыми технологиями?",
        "es": "¿Cómo deberían las Naciones Unidas abordar las nuevas tecnologías?",
    },
    "description": {
        "en": "The Secretary-General's Strategy on New Technologies is being revised. Tell us, "
              "in your own words, how the UN's work with new technologies affects you, your "
              "community or your organization, and what it should do differently.",
        "ar": "تجري حاليا مراجعة استراتيجية الأمين العام بشأن التكنولوجيات الجديدة. أخبرنا بكلماتك "
              "كيف يؤثر عمل الأمم المتحدة في مجال التكنولوجيات الجديدة فيك أو في مجتمعك أو في "
              "منظمتك، وما الذي ينبغي أن تفعله على نحو مختلف.",
        "zh": "秘书长新技术战略正在修订中。请用您自己的话告诉我们，联合国在新技术方面的工作如何影响您、"
              "您的社区或您的组织，以及联合国应当做出哪些改变。",
        "fr": "La Stratégie du Secrétaire général en matière de nouvelles technologies est en cours "
              "de révision. Dites-nous, avec vos propres mots, en quoi l'action de l'ONU dans le "
              "domaine des nouvelles technologies vous concerne, vous, votre communauté ou votre "
              "organisation, et ce qu'elle devrait faire autrement.",
        "ru": "Стратегия Генерального секретаря в области новых технологий пересматривается. "
              "Расскажите своими словами, как работа ООН в области новых технологий затрагивает "
              "вас, ваше сообщество или вашу организацию и что ей следует делать иначе.",
        "es": "La Estrategia del Secretario General en materia de nuevas tecnologías se está "
              "revisando. Cuéntenos, con sus propias palabras, cómo le afecta a usted, a su "
              "comunidad o a su organización la labor de las Naciones Unidas con las nuevas "
              "tecnologías, y qué debería hacer de otra manera.",
    },
    "questions": [
        {
            "en": "Which new technology matters most in your life or work, and why?",
            "ar": "ما التكنولوجيا الجديدة الأكثر أهمية في حياتك أو عملك، ولماذا؟",
            "zh": "哪项新技术对您的生活或工作最为重要？为什么？",
            "fr": "Quelle nouvelle technologie compte le plus dans votre vie ou votre travail, et pourquoi ?",
            "ru": "Какая новая технология важнее всего в вашей жизни или работе и почему?",
            "es": "¿Qué nueva tecnología es la más importante en su vida o su trabajo, y por qué?",
        },
        {
            "en": "Where has the UN helped, or failed to help, with new technologies?",
            "ar": "أين ساعدت الأمم المتحدة، أو أخفقت في المساعدة، في مجال التكنولوجيات الجديدة؟",
            "zh": "在新技术方面，联合国在哪些地方提供了帮助，又在哪些地方未能提供帮助？",
            "fr": "Dans quels domaines l'ONU a-t-elle aidé, ou n'a-t-elle pas su aider, en matière de nouvelles technologies ?",
            "ru": "В чем ООН помогла или не смогла помочь в вопросах новых технологий?",
            "es": "¿En qué ha ayudado la ONU, o no ha logrado ayudar, en materia de nuevas tecnologías?",
        },
        {
            "en": "What should the UN do differently in the next version of the strategy?",
            "ar": "ما الذي ينبغي للأمم المتحدة أن تفعله على نحو مختلف في الصيغة القادمة من الاستراتيجية؟",
            "zh": "在下一版战略中，联合国应当做出哪些改变？",
            "fr": "Que devrait faire l'ONU autrement dans la prochaine version de la stratégie ?",
            "ru": "Что ООН следует делать иначе в следующей редакции стратегии?",
            "es": "¿Qué debería hacer la ONU de otra manera en la próxima versión de la estrategia?",
        },
    ],
}


def ensure_demo_round(session: Session, now: dt.datetime | None = None) -> Round | None:
    """Create one open demo round when there is no round at all; None if there was one."""
    if session.scalar(select(Round.id).limit(1)) is not None:
        return None
    now = now or utcnow()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return create_round(session, title=DEMO_ROUND["title"],
                        description=DEMO_ROUND["description"],
                        questions=DEMO_ROUND["questions"], opens_at=start,
                        closes_at=start + dt.timedelta(days=90))
