"""The quiz engine: question types as plugins, banks, drawing and grading.

Plain data in, dataclasses out; this package never imports Flask (or anything of ``lms``).
"""
from quizzes.base import AnswerError, BankProblem, Grade, QuestionType  # noqa: F401
from quizzes.registry import get_type, registered_types  # noqa: F401
