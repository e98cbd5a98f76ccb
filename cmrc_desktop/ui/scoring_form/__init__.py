"""The expert's scoring form for one centre: declarations, indicators grouped by
dimension with guidance and evidence, autosaved scores and comments, the opinion,
undo / redo, and the centre's dossier documents one click away."""

from cmrc_desktop.ui.scoring_form.form import OPINION_FIELDS, ScoringForm
from cmrc_desktop.ui.scoring_form.score_input import ScoreEdit, ScoreValidator, check_score

__all__ = ["OPINION_FIELDS", "ScoreEdit", "ScoreValidator", "ScoringForm", "check_score"]
