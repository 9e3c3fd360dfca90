"""The document templates: where they are, how they render, and what a broken one says.

The built-in templates ship as the ``collector.templates`` package (the repo's
``templates/`` folder). A folder of the owner's overrides them file by file:
Jinja looks there first and falls back to the built-in file. Templates render
in a sandbox, HTML is escaped, and an unknown value is an error rather than a
blank; any template error becomes a ``DocumentError`` naming the file and line.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from types import TracebackType
from typing import Any, Mapping, Optional

from jinja2 import (
    ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound,
    TemplateSyntaxError, select_autoescape,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

_SKIPPED = ("__init__.py", "__pycache__", ".DS_Store")


class DocumentError(Exception):
    """The documents could not be rendered; the message says which file and why, in plain words."""


def builtin_templates_dir() -> str:
    """The folder of the built-in templates, installed or in the source tree."""
    try:
        from importlib.resources import files

        folder = files("collector.templates")
        if isinstance(folder, Path) and (folder / "style.css").is_file():
            return str(folder)
        for candidate in getattr(folder, "_paths", []):  # a namespace package
            if (Path(candidate) / "style.css").is_file():
                return str(candidate)
    except (ModuleNotFoundError, TypeError):
        pass
    return str(Path(__file__).resolve().parent.parent / "templates")


class Templates:
    """The template set for one run: the owner's folder (if any) over the built-in one."""

    def __init__(self, override_dir: Optional[str] = None) -> None:
        self.builtin_dir = builtin_templates_dir()
        self.override_dir = override_dir if override_dir and os.path.isdir(override_dir) else None
        if override_dir and not self.override_dir:
            raise DocumentError(f"The templates folder {override_dir} does not exist.")
        folders = [self.override_dir, self.builtin_dir] if self.override_dir else [self.builtin_dir]
        self.env = SandboxedEnvironment(
            loader=ChoiceLoader([FileSystemLoader(folder, encoding="utf-8") for folder in folders]),
            autoescape=select_autoescape(["html", "htm", "xml"], default_for_string=False, default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.filters["css_string"] = css_string
        # The texts of each language (<lang>/*.txt) keep every line break, so a paragraph that
        # ends in a tag still ends there; the layouts drop the line after a tag.
        self.text_env = self.env.overlay(trim_blocks=False)
        self._builtin_env: Optional[SandboxedEnvironment] = None

    @property
    def base_url(self) -> str:
        """Where relative links in the HTML (a logo, a font) are looked up."""
        return (self.override_dir or self.builtin_dir) + os.sep

    def exists(self, name: str) -> bool:
        try:
            self.env.loader.get_source(self.env, name)
        except TemplateNotFound:
            return False
        return True

    def source(self, name: str) -> str:
        """A file's text as is (the stylesheet)."""
        try:
            return self.env.loader.get_source(self.env, name)[0]
        except TemplateNotFound:
            raise DocumentError(f"The template {name} is missing from {self.builtin_dir}.") from None
        except UnicodeDecodeError:
            raise DocumentError(f"{self.where(name)} is not a UTF-8 text file; save it as UTF-8.") from None

    def _env(self, name: str) -> SandboxedEnvironment:
        return self.text_env if "/" in name else self.env

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        with self._errors(name):
            return self._env(name).get_template(name).render(context)

    def render_block(self, name: str, block: str, context: Mapping[str, Any]) -> Optional[str]:
        """One ``{% block %}`` of a template, or None when the template has no such block."""
        with self._errors(name):
            template = self._env(name).get_template(name)
            render = template.blocks.get(block)
            if render is None:
                return None
            try:
                return "".join(render(template.new_context(dict(context)))).strip()
            except Exception:
                template.environment.handle_exception()  # re-raises with template line numbers

    def module(self, name: str) -> Any:
        """A template's exported values and macros (the words of a language)."""
        with self._errors(name):
            template = self._env(name).get_template(name)
            try:
                return template.module
            except Exception:
                template.environment.handle_exception()

    def builtin_module(self, name: str) -> Any:
        """The built-in file's values and macros, to fill in what an owner's older copy of it lacks.

        None when there is no built-in file of that name.
        """
        if not self.override_dir:
            return self.module(name)
        if not os.path.isfile(os.path.join(self.builtin_dir, name)):
            return None
        if self._builtin_env is None:
            self._builtin_env = self.text_env.overlay(loader=FileSystemLoader(self.builtin_dir, encoding="utf-8"))
        with self._errors(name):
            return self._builtin_env.get_template(name).module

    def has_block(self, name: str, block: str) -> bool:
        with self._errors(name):
            return block in self._env(name).get_template(name).blocks

    def where(self, name: str) -> str:
        """How to name a template file to the owner: their own file by path, else the built-in one."""
        if self.override_dir and os.path.isfile(os.path.join(self.override_dir, name)):
            return _shown_path(os.path.join(self.override_dir, name))
        return f"built-in template {name}"

    def _errors(self, name: str) -> "_TemplateErrors":
        return _TemplateErrors(self, name)

    def _shown(self, filename: Optional[str], fallback: str) -> str:
        if not filename:
            return self.where(fallback)
        path = os.path.abspath(filename)
        for folder in filter(None, [self.override_dir]):
            if path.startswith(os.path.abspath(folder) + os.sep):
                return _shown_path(path)
        builtin = os.path.abspath(self.builtin_dir) + os.sep
        if path.startswith(builtin):
            return f"built-in template {path[len(builtin):].replace(os.sep, '/')}"
        return _shown_path(path)


class _TemplateErrors:
    """Turns Jinja's exceptions into a DocumentError naming the template file and line."""

    def __init__(self, templates: Templates, name: str) -> None:
        self.templates = templates
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> bool:
        if error is None or isinstance(error, DocumentError):
            return False
        if isinstance(error, TemplateSyntaxError):
            where = self.templates._shown(error.filename, error.name or self.name)
            raise DocumentError(f"{where}, line {error.lineno}: {_plain(error)}") from None
        if isinstance(error, UnicodeDecodeError):
            raise DocumentError(f"{self.templates.where(self.name)} is not saved as UTF-8 text; open it in "
                                "a text editor and save it with the UTF-8 encoding.") from None
        if isinstance(error, TemplateNotFound):
            if error.name == self.name:
                raise DocumentError(f"The template {self.name} is missing.") from None
            raise DocumentError(f"{self.templates.where(self.name)}: the template {error.name} "
                                f"it uses does not exist.") from None
        if isinstance(error, (TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
                              AttributeError)):
            filename, line = _template_frame(trace, self.templates)
            where = self.templates._shown(filename, self.name)
            at = f", line {line}" if line else ""
            raise DocumentError(f"{where}{at}: {_plain(error)}") from None
        return False


def _template_frame(trace: Optional[TracebackType], templates: Templates) -> tuple[Optional[str], int]:
    """The innermost traceback frame that is a template line (Jinja rewrites them so)."""
    folders = [os.path.abspath(f) for f in (templates.override_dir, templates.builtin_dir) if f]
    found: tuple[Optional[str], int] = (None, 0)
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if any(os.path.abspath(filename).startswith(folder + os.sep) for folder in folders):
            found = (filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def _plain(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    message = message.replace("'dict object' has no attribute", "there is no value called")
    return message.rstrip(".") + "."


def _shown_path(path: str) -> str:
    """A path relative to the folder holding the templates folder: "templates/fr/final-demand.txt"."""
    parts = Path(path).parts
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == "templates":
            return "/".join(parts[index:])
    return path


def css_string(value: object) -> Markup:
    """A value as a quoted CSS string, safe inside a <style> element."""
    text = re.sub(r'[\\"<>&\n\r\f]', lambda m: f"\\{ord(m.group()):x} ", str(value))
    return Markup(f'"{text}"')


def copy_templates(target_dir: str) -> list[str]:
    """Copy the built-in templates into ``target_dir`` to customise; return the files written.

    Existing files are never overwritten: if any would be, nothing is copied and
    the DocumentError lists them.
    """
    source = Path(builtin_templates_dir())
    target = Path(target_dir)
    files = sorted(
        path.relative_to(source) for path in source.rglob("*")
        if path.is_file() and not any(part in _SKIPPED or part.endswith(".pyc") for part in path.parts)
    )
    existing = [name.as_posix() for name in files if (target / name).exists()]
    if existing:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise DocumentError(f"Not copying the templates into {target_dir}: these files already exist "
                            f"there and were left as they are: {shown}. Choose an empty folder, or move "
                            "them away first.")
    written = []
    try:
        for name in files:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target / name)
            written.append(str(target / name))
    except OSError as error:
        raise DocumentError(f"Could not copy the templates into {target_dir}: {error.strerror or error}.") from None
    return written

