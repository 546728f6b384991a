"""Pose core (numpy only): skeletons, sequences, transforms, lifting and file formats."""

from signstudio.pose.errors import FormatError
from signstudio.pose.sequence import PoseSequence
from signstudio.pose.skeleton import Skeleton, get_layout

__all__ = ["FormatError", "PoseSequence", "Skeleton", "get_layout"]
