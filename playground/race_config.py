"""RaceConfig: a shared base RunConfig plus what each of 2-4 lanes overrides; URL round trip."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playground.config import MAX_LANES, OPTIMIZER_LABELS, RunConfig, format_value, parse_value

# What a lane may override; everything else (data, network shape, seeds, epochs) is shared.
LANE_FIELDS = ("optimizer", "lr", "momentum", "nesterov", "betas", "eps", "weight_decay", "batch_size",
               "dropout", "batch_norm")


@dataclass(frozen=True)
class RaceConfig:
    """A shared base config plus, per lane, the fields it overrides."""

    base: RunConfig
    lanes: tuple[tuple[tuple[str, object], ...], ...]  # per lane: sorted (field, value) pairs

    @classmethod
    def of(cls, base: RunConfig, lanes: list[dict]) -> RaceConfig:
        """Build from plain dicts of overrides (only LANE_FIELDS are kept)."""
        frozen = tuple(tuple(sorted((k, v) for k, v in lane.items() if k in LANE_FIELDS)) for lane in lanes)
        return cls(base, frozen[:MAX_LANES])

    def lane_configs(self) -> list[RunConfig]:
        """The full RunConfig of every lane."""
        return [self.base.replace(**dict(lane)) for lane in self.lanes]

    def labels(self) -> list[str]:
        """Lane names that say what differs, e.g. 'Adam lr=0.01'; repeated names get '#k'."""
        names = [lane_label(cfg, self.varying()) for cfg in self.lane_configs()]
        return [f"{name} #{k}" if names.count(name) > 1 else name for k, name in enumerate(names, start=1)]

    def to_query(self) -> dict[str, str]:
        """URL params: the base config plus lane1..laneN as 'field:value;field:value'."""
        query = self.base.to_query()
        for k, lane in enumerate(self.lanes, start=1):
            query[f"lane{k}"] = ";".join(f"{name}:{format_value(value)}" for name, value in lane) or "same"
        return query

    @classmethod
    def from_query(cls, params: dict[str, str]) -> tuple[RaceConfig, list[str]]:
        """Parse lane1..lane4 plus the base config; bad lane values fall back with warnings."""
        # lane1..lane99 only: a longer number is not a lane (and int() of 5,000 digits raises).
        lane_keys = sorted((k for k in params if re.fullmatch(r"lane\d{1,2}", str(k))), key=lambda k: int(k[4:]))
        base, warnings = RunConfig.from_query({k: v for k, v in params.items() if k not in lane_keys and k != "mode"})
        if len(lane_keys) > MAX_LANES:
            warnings.append(f"a race has at most {MAX_LANES} lanes; lanes after lane{MAX_LANES} were ignored")
        lanes = [_parse_lane(k, str(params[k]), warnings) for k in lane_keys[:MAX_LANES]]
        if len(lanes) < 2:
            if lane_keys:
                warnings.append("a race needs at least 2 lanes; showing SGD vs momentum vs RMSprop vs Adam")
            lanes = [dict(lane) for lane in DEFAULT_LANES]
        return cls.of(base, lanes), warnings

    def varying(self) -> list[str]:
        """Fields whose values differ between lanes."""
        cfgs = self.lane_configs()
        return [f for f in LANE_FIELDS if len({repr(getattr(c, f)) for c in cfgs}) > 1]


def lane_label(cfg: RunConfig, varying: list[str]) -> str:
    """Name a lane by its optimizer and the settings that differ between lanes."""
    parts = [OPTIMIZER_LABELS[cfg.optimizer]]
    if "optimizer" in varying and cfg.weight_decay and "weight_decay" not in varying:
        varying = [*varying, "weight_decay"]  # "Adam vs AdamW" means nothing without the decay
    for name in varying:
        if name == "optimizer":
            continue
        value = getattr(cfg, name)
        if name == "batch_size":
            parts.append("full batch" if value == 0 else "batch 1" if value == 1 else f"batch {value}")
        elif name == "batch_norm":
            parts.append("BN" if value else "no BN")
        elif isinstance(value, float):
            parts.append(f"{name}={value:g}")
        else:
            parts.append(f"{name}={value}")
    return " ".join(parts)


def _parse_lane(key: str, text: str, warnings: list[str]) -> dict:
    lane = {}
    for item in filter(None, text.split(";")):
        if item == "same":  # how to_query writes a lane that overrides nothing
            continue
        name, _, raw = item.partition(":")
        if name not in LANE_FIELDS:
            warnings.append(f"{key}: '{name[:40]}' cannot differ between lanes and was ignored")
            continue
        value, problem = parse_value(name, raw)
        if problem:
            warnings.append(f"{key}: {problem}")
        if value is not None:
            lane[name] = value
    return lane


# SGD vs momentum vs RMSprop vs Adam, each at a learning rate that suits it.
DEFAULT_LANES = ({"optimizer": "sgd", "lr": 0.1}, {"optimizer": "momentum", "lr": 0.03},
                 {"optimizer": "rmsprop", "lr": 0.01}, {"optimizer": "adam", "lr": 0.01})
