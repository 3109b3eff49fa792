"""Conversations: a member's subject, the critiques that move it, the lists they see.

:class:`DialogueState` is what a conversation remembers (plain JSON, so the history store
keeps it); :class:`Dialogue` answers one :class:`~engine.language.Request` in a state with a
:class:`Turn`. ``Engine.converse`` puts reader and dialogue together for front ends.
"""

from .state import STATE_TTL_S, DialogueState
from .target import CRITIQUE_STEP, CRITIQUE_WEIGHT
from .turns import EXAMPLES, Dialogue, Turn

__all__ = ["CRITIQUE_STEP", "CRITIQUE_WEIGHT", "EXAMPLES", "STATE_TTL_S", "Dialogue", "DialogueState", "Turn"]
