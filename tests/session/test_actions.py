"""The action table (`signstudio.session.actions`): ids as the studio always named them, unique,
and everything the toolbar and the groups name is there."""

from __future__ import annotations

from signstudio.session.actions import ACTIONS, SPREADS, TOOLBAR, ActionSpec, action_id, by_id


def test_ids_are_unique_and_made_from_the_labels() -> None:
    ids = [spec.id for spec in ACTIONS]
    assert len(ids) == len(set(ids))
    assert action_id("Open reference…") == "open_reference"
    assert {"mirror_left_and_right", "flag_this_frame", "avatar_and_skeleton", "save_screenshot"} <= set(ids)


def test_toolbar_and_groups_name_real_actions() -> None:
    actions = by_id()
    assert all(name in actions for name in TOOLBAR if name is not None)
    spreads = [s for s in ACTIONS if isinstance(s, ActionSpec) and s.group == "spread"]
    assert [s.args[0] for s in spreads] == list(SPREADS) and all(s.exclusive for s in spreads)
    shortcuts = [s.shortcut for s in actions.values() if s.shortcut]
    assert len(shortcuts) == len(set(shortcuts))  # one key, one action
    assert all(s.handler for s in actions.values())


def test_no_two_actions_share_a_key_camera_presets_included() -> None:
    """Keys compared as typed (case and modifier order ignored), the camera's 1-4 included."""
    from signstudio.session.camera import PRESETS

    def norm(key: str) -> str:
        return "+".join(sorted(part.strip().lower() for part in key.split("+")))

    keys = [norm(s.shortcut) for s in by_id().values() if s.shortcut]
    keys += [norm(p.shortcut) for p in PRESETS.values() if p.shortcut]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    worst = by_id()
    assert worst["next_worst_frame"].shortcut == "N" and worst["previous_worst_frame"].shortcut == "Shift+N"
    assert worst["next_worst_frame"].handler == "heat.worst.step" and worst["next_worst_frame"].args == (1,)
