"""Keypoints -> SMPL-X rotations (IK), body backends, skinning."""
