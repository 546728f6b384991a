"""Layout tables shipped as data: ``holistic.json`` (made by ``python -m signstudio.pose.layouts``
from a real recording) and ``p2s128.json`` (Prompt2Sign 2025's 128 points), read by
``signstudio.pose.skeleton.get_layout``."""
