"""RaceConfig: a shared base RunConfig plus what each of 2-4 lanes overrides; URL round trip."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playground import fields
from playground.catalog import DEFAULT_LANES, OPTIMIZERS
from playground.config import MAX_LANES, RunConfig, format_value, parse_value

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
        return labels_for(self.lane_configs(), LANE_FIELDS)

    def to_query(self) -> dict[str, str]:
        """URL params: the base config plus lane1..laneN as 'field:value;field:value'."""
        query = self.base.to_query()
        for k, lane in enumerate(self.lanes, start=1):
            query[f"lane{k}"] = ";".join(f"{name}:{format_value(value)}" for name, value in lane) or "same"
        return query

    @classmethod
    def from_query(cls, params: dict[str, str], *, base: RunConfig | None = None,
                   lanes: list[dict] | None = None) -> tuple[RaceConfig, list[str]]:
        """Parse lane1..lane4 plus the base config (over base); without lanes in the URL, `lanes`."""
        keys = lane_keys(params)
        shared = {k: v for k, v in params.items() if k not in keys and k != "mode"}
        base, warnings = fields.build(RunConfig, shared, base=base)
        if len(keys) > MAX_LANES:
            warnings.append(f"a race has at most {MAX_LANES} lanes; lanes after lane{MAX_LANES} were ignored")
        parsed = [_parse_lane(k, str(params[k]), warnings) for k in keys[:MAX_LANES]]
        if len(parsed) < 2:
            if keys:
                warnings.append("a race needs at least 2 lanes; showing SGD vs momentum vs RMSprop vs Adam")
                lanes = None
            parsed = [dict(lane) for lane in (lanes or DEFAULT_LANES)]
        return cls.of(base, parsed), warnings

    def varying(self) -> list[str]:
        """Fields whose values differ between lanes."""
        return varying(self.lane_configs(), LANE_FIELDS)


def varying(cfgs: list[RunConfig], names: tuple[str, ...]) -> list[str]:
    """Fields (of `names`) whose values differ between the configs."""
    return [f for f in names if len({repr(getattr(c, f)) for c in cfgs}) > 1]


def labels_for(cfgs: list[RunConfig], names: tuple[str, ...]) -> list[str]:
    """Names that say what differs between configs (of `names`), e.g. 'Adam lr=0.01'."""
    return numbered([lane_label(cfg, varying(cfgs, names)) for cfg in cfgs])


def numbered(names: list[str]) -> list[str]:
    """Repeated names get '#k' (k = position), so every lane's name is its own."""
    return [f"{name} #{k}" if names.count(name) > 1 else name for k, name in enumerate(names, start=1)]


def lane_label(cfg: RunConfig, varying: list[str]) -> str:
    """Name a lane by its optimizer and the settings that differ between lanes."""
    parts = [OPTIMIZERS[cfg.optimizer].label]
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


def lane_keys(params: dict) -> list[str]:
    """lane1..lane99 in order; a longer number is not a lane (and int() of 5,000 digits raises)."""
    return sorted((k for k in params if re.fullmatch(r"lane\d{1,2}", str(k))), key=lambda k: int(k[4:]))


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

