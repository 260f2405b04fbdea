"""What the apps above voices do when a voice is received or its topic corrected.

Voices knows no app above it (docs/layers.md). An app that must react to voices (insight analyses a
new voice and learns from a corrected topic) registers a callable here in its
``AppConfig.ready()``; voices' services call every registered one. Nothing is registered by voices
itself: without the apps above, voices works alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from danvan.accounts.models import User
    from danvan.voices.models import Topic, Voice

#: Called with the ids of voices just received (one, or a bulk import's), inside the transaction
#: that saves them: a callable that works on committed rows defers itself with
#: ``transaction.on_commit``.
VoicesReceived = Callable[[list[int]], None]
#: Called when an officer files a case under another topic, inside the same transaction, before
#: the case is saved: ``(voice, topic, user)``, the voice already given ``topic`` and keeping its
#: ``suggested_topic``.
TopicCorrected = Callable[["Voice", "Topic", "User | None"], None]

_voices_received: list[VoicesReceived] = []
_topic_corrected: list[TopicCorrected] = []


def on_voices_received(callback: VoicesReceived) -> VoicesReceived:
    """Register ``callback`` for voices just received (once: a second registration is ignored)."""
    if callback not in _voices_received:
        _voices_received.append(callback)
    return callback


def on_topic_corrected(callback: TopicCorrected) -> TopicCorrected:
    """Register ``callback`` for a case's topic corrected by an officer (once)."""
    if callback not in _topic_corrected:
        _topic_corrected.append(callback)
    return callback


def voices_received(voice_ids: list[int]) -> None:
    """Tell the registered apps that these voices were received."""
    for callback in _voices_received:
        callback(voice_ids)


def topic_corrected(voice: Voice, topic: Topic, user: User | None) -> None:
    """Tell the registered apps that an officer filed ``voice`` under ``topic``."""
    for callback in _topic_corrected:
        callback(voice, topic, user)
