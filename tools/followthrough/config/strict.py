"""MkDocs config classes that treat an unknown setting as an error, and name every problem by its path.

MkDocs only warns about a key it does not know, so a misspelt setting would silently keep its
default (a typo under `trackers:` would pass `mkdocs build --strict` before anything checked
it). `Strict` is the one place that turns such a key into an error with a did-you-mean; the
`Section` options nest Strict classes and keep each problem's path (`trackers.destinations.pay.projet`),
so MkDocs and the CLI print the same line: `mkdocs.yml: plugins.followthrough.<path>: <what is wrong>`.
Every problem is reported at once: a bad value does not hide the settings after it.
"""

from __future__ import annotations

import math

import re
from typing import Any, Iterable, Iterator

from mkdocs.config import base
from mkdocs.config import config_options as c

from followthrough.core.fields import did_you_mean

PREFIX = "plugins.followthrough."
Problem = tuple[str, str]  # (path below the plugin section, what is wrong)


class Problems(base.ValidationError):
    """The problems of a nested section, each with its path relative to that section."""

    def __init__(self, problems: list[Problem], value: Any = None) -> None:
        self.problems = problems
        self.value = value  # what did validate, for the checks of the section around it
        super().__init__("\n".join(f"{path}: {message}" for path, message in problems))


_KINDS = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false", "list": "a list", "dict": "a mapping", "NoneType": "nothing"}
_EXPECTED = re.compile(r"Expected type: (.+?) but received: (.+)")


def _kind(classes: str) -> str:
    names = re.findall(r"<class '([A-Za-z_]+)'>", classes)
    if "float" in names:  # (int, float) is a number
        names = [n for n in names if n != "int"]
    return " or ".join(dict.fromkeys(_KINDS.get(n, n) for n in names)) or classes


def plain(exc: Exception) -> str:
    """MkDocs' message for a value of the wrong type in words: "expected a whole number, got text"
    rather than "Expected type: <class 'int'> but received: <class 'str'>"."""
    message = str(exc)
    found = _EXPECTED.fullmatch(message.strip())
    if found is None:
        return message
    return f"expected {_kind(found.group(1))}, got {_kind(found.group(2))}"


def problem_lines(problems: Iterable[Problem], where: str) -> str:
    """The problems as the user reads them, one a line, each naming the file and the setting."""
    return "\n".join(f"{where}: {PREFIX}{path}: {message}" for path, message in problems)


class Strict(base.Config):
    """A typed section whose unknown keys are errors; `checks` adds what types cannot say."""

    typed = False  # set by `problems`: every setting has a value of its type

    @classmethod
    def options(cls) -> Iterator[tuple[str, c.BaseConfigOption]]:
        """The settings the class declares, its bases' first, read with MkDocs' public option type."""
        seen: dict[str, c.BaseConfigOption] = {}
        for klass in reversed(cls.__mro__):
            seen.update({k: v for k, v in vars(klass).items() if isinstance(v, c.BaseConfigOption)})
        return iter(seen.items())

    def checks(self) -> Iterable[Problem]:
        """Problems across settings, run once every setting of this section has its type."""
        return ()

    def problems(self) -> list[Problem]:
        """Validate in place and return every problem: values, unknown keys, then `checks`."""
        options = dict(self.options())
        found: list[Problem] = []
        typed = True  # no value lacks its type: `checks` can read them all
        for key, option in options.items():
            try:
                option.pre_validation(self, key)
            except base.ValidationError as exc:
                found.append((key, plain(exc)))
                typed = False
        for key, option in options.items():
            try:
                self[key] = option.validate(self.get(key))
            except Problems as exc:
                found += [(_join(key, path), message) for path, message in exc.problems]
                if exc.value is None:
                    typed = False
                else:
                    self[key] = exc.value
            except base.ValidationError as exc:
                found.append((key, plain(exc)))
                typed = False
            finally:
                option.reset_warnings()  # deprecations only; none of ours has any
        known = sorted(options)
        found += [(str(key), f"not a setting{did_you_mean(str(key), known)}") for key in self if key not in options]
        if typed:
            for key, option in options.items():
                try:
                    option.post_validation(self, key)
                except base.ValidationError as exc:
                    found.append((key, plain(exc)))
            found += list(self.checks())
        self.typed = typed
        return found

    def validate(self) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        """MkDocs' entry point: one error per problem, printed with the file and the full path."""
        where = self.config_file_path or "mkdocs.yml"
        return [(path.split(".")[0].split("[")[0], base.ValidationError(problem_lines([(path, message)], where))) for path, message in self.problems()], []


class Number(c.Type):
    """A number setting (MkDocs' `Type` of int, or of int and float) that refuses true and
    false, which Python counts as 1 and 0: `due_soon_days: true` is a mistake, not one day;
    and YAML's `.nan` and `.inf`, which compare false with every bound the checks set, so a
    wait would never end or a pending create never settle."""

    def run_validation(self, value: object) -> object:
        if isinstance(value, bool):
            raise base.ValidationError(f"expected a number, got {str(value).lower()}")
        if isinstance(value, float) and not math.isfinite(value):
            raise base.ValidationError(f"expected a finite number, got {value}")
        return super().run_validation(value)


def _join(key: str, path: str) -> str:
    return f"{key}{path}" if path.startswith("[") else f"{key}.{path}"


def _section(config_class: type[Strict], value: Any, config_file: str | None) -> Strict:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise base.ValidationError(f"expected a mapping of settings, got {type(value).__name__}")
    config = config_class(config_file_path=config_file)
    config.load_dict(value)
    problems = config.problems()
    if problems:
        raise Problems(problems, config if config.typed else None)
    return config


class Section(c.SubConfig):
    """A nested Strict section (MkDocs' SubConfig, with every problem kept with its path)."""

    def __init__(self, config_class: type[Strict]) -> None:
        super().__init__(config_class)
        self.config_class = config_class  # SubConfig sets it only on its own class, not a subclass

    def run_validation(self, value: object) -> Strict:
        return _section(self.config_class, value, self._config_file_path)


class SectionList(c.BaseConfigOption):
    """A list of Strict sections; problems are named `key[i].setting`."""

    def __init__(self, config_class: type[Strict], default: list[dict[str, Any]]) -> None:
        super().__init__()
        self.config_class = config_class
        self.default = default
        self._file: str | None = None

    def pre_validation(self, config: base.Config, key_name: str) -> None:
        self._file = config.config_file_path

    def run_validation(self, value: object) -> list[Strict]:
        if value is None:
            value = self.default
        if not isinstance(value, list):
            raise base.ValidationError(f"expected a list, got {type(value).__name__}")
        found: list[Problem] = []
        items: list[Strict] = []
        typed = True
        for i, entry in enumerate(value):
            try:
                items.append(_section(self.config_class, entry, self._file))
            except Problems as exc:
                found += [(_join(f"[{i}]", path), message) for path, message in exc.problems]
                typed = typed and exc.value is not None
                items.append(exc.value)
            except base.ValidationError as exc:
                found.append((f"[{i}]", plain(exc)))
                typed = False
        if found:
            raise Problems(found, items if typed else None)
        return items


class SectionDict(c.BaseConfigOption):
    """Named Strict sections (`destinations: {pay: {...}}`); problems are named `key.name.setting`."""

    def __init__(self, config_class: type[Strict]) -> None:
        super().__init__()
        self.config_class = config_class
        self.default: dict[str, Any] = {}
        self._file: str | None = None

    def pre_validation(self, config: base.Config, key_name: str) -> None:
        self._file = config.config_file_path

    def run_validation(self, value: object) -> dict[str, Strict]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise base.ValidationError(f"expected a mapping of names to settings, got {type(value).__name__}")
        found: list[Problem] = []
        items: dict[str, Any] = {}
        for name, entry in value.items():
            items[str(name)] = entry  # a bad one stays as written: its name still counts
            try:
                items[str(name)] = _section(self.config_class, entry, self._file)
            except Problems as exc:
                found += [(f"{name}.{path}", message) for path, message in exc.problems]
                if exc.value is not None:
                    items[str(name)] = exc.value  # every setting has its type: later checks can read it
            except base.ValidationError as exc:
                found.append((str(name), plain(exc)))
        if found:
            raise Problems(found, items)
        return items
