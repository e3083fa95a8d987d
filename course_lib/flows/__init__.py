"""Normalizing flows: invertible layers with one interface.

Every layer: ``layer(x, mask, cond=None, reverse=False) -> FlowOutput(z, log_det)``
with ``x [B, C, T]``, ``mask [B, 1, T]``, ``log_det [B]`` (negated in reverse).
"""

from course_lib.flows.actnorm import ActNorm, actnorm_init_from_data
from course_lib.flows.base import FlowLayer, FlowOutput, FlowStack, frame_counts
from course_lib.flows.coupling import AffineCoupling
from course_lib.flows.invconv import InvConvNear, from_groups, random_rotation, to_groups
from course_lib.flows.reshape import ChannelFlip, squeeze, unsqueeze

__all__ = [
    "ActNorm",
    "AffineCoupling",
    "ChannelFlip",
    "FlowLayer",
    "FlowOutput",
    "FlowStack",
    "InvConvNear",
    "actnorm_init_from_data",
    "frame_counts",
    "from_groups",
    "random_rotation",
    "squeeze",
    "to_groups",
    "unsqueeze",
]
