"""Imports run one way: foundations → building blocks → models → vocoder / evaluation → lessons' tools and the CLI.

Every top-level part of ``course_lib`` has a layer; a module may import its own part, any
part of a lower layer, and a part of its own layer only if that part does not import it
back. Function-level imports count too (``ast.walk`` sees every ``import`` statement).

Inside ``course_lib.models`` the same holds one level down: the shared modules and packages
(:data:`SHARED_IN_MODELS`) sit below the model packages. A shared part may import only shared
parts; a model package may import itself and shared parts, never another model package. (The
registry, ``course_lib/models/__init__.py``, finds the models by name at run time and is neither.)
"""

import ast
from collections import defaultdict
from pathlib import Path

import course_lib

LAYERS = {
    "foundations": ("framing", "files", "facts", "audio", "pitch", "source_filter", "text", "mode", "paths", "espeak",
                    "threads"),
    "building blocks": ("nn", "flows", "diffusion", "alignment", "distributions", "training", "data", "cepstrum"),
    "models": ("models",),
    "vocoder and evaluation": ("vocoder", "evaluation", "quality"),
    "lessons' tools and the CLI": ("widgets", "checks", "plots", "compare", "cli", "__main__"),
}
LAYER_OF = {part: rank for rank, parts in enumerate(LAYERS.values()) for part in parts}
PACKAGE = Path(course_lib.__file__).parent
MODELS = PACKAGE / "models"
# what every model may build on; every other package in course_lib/models is one model
SHARED_IN_MODELS = ("contract", "config_io", "recipe", "single_phase", "summary", "text_encoding", "vae", "waveform")


def part_of(module: str) -> str | None:
    """``course_lib.models.glow_tts.train`` → ``models``; ``course_lib`` itself → None."""
    names = module.split(".")
    return names[1] if len(names) > 1 and names[0] == "course_lib" else None


def model_part_of(module: str) -> str | None:
    """``course_lib.models.glow_tts.train`` → ``glow_tts``; the registry ``course_lib.models`` and modules outside
    ``course_lib.models`` → None."""
    names = module.split(".")
    return names[2] if len(names) > 2 and names[:2] == ["course_lib", "models"] else None


def is_module(module: str) -> bool:
    """Whether ``course_lib.a.b`` is a module or a package of this checkout."""
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def module_imports() -> list[tuple[str, str, str]]:
    """``(importing module, imported module, "file:line")`` for every import of a course_lib module;
    ``from course_lib.models import recipe`` imports ``course_lib.models.recipe``."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        source = ".".join(relative.parts[:-1] if relative.name == "__init__" else relative.parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{alias.name}" if is_module(f"{node.module}.{alias.name}") else node.module
                           for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found += [(source, target, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
                      for target in targets if target.split(".")[0] == "course_lib"]
    return found


def imports() -> list[tuple[str, str, str]]:
    """``(importing part, imported part, "file:line")`` for every course_lib import between two parts."""
    found = []
    for source, target, where in module_imports():
        source, target = part_of(source), part_of(target)
        if source not in (None, "__init__") and target is not None and target != source:
            found.append((source, target, where))
    return found


def model_imports() -> list[tuple[str, str, str]]:
    """``(importing part, imported part, "file:line")`` for every import between two parts of course_lib.models."""
    found = []
    for source, target, where in module_imports():
        source, target = model_part_of(source), model_part_of(target)
        if source is not None and target is not None and target != source:
            found.append((source, target, where))
    return found


def test_every_part_of_the_package_has_a_layer():
    parts = {path.stem if path.is_file() else path.name for path in PACKAGE.iterdir()
             if (path.suffix == ".py" or (path / "__init__.py").exists()) and path.stem != "__init__"}
    assert parts - set(LAYER_OF) == set(), "give each new part of course_lib a layer in LAYERS"


def test_no_part_imports_a_part_above_it():
    upward = [f"{where}: {source} ({LAYER_OF[source]}) imports {target} ({LAYER_OF[target]})"
              for source, target, where in imports() if LAYER_OF[target] > LAYER_OF[source]]
    assert upward == []


def test_no_two_parts_import_each_other():
    edges = defaultdict(list)
    for source, target, where in imports():
        edges[(source, target)].append(where)
    cycles = [f"{a} ↔ {b}: {edges[(a, b)][0]} and {edges[(b, a)][0]}"
              for (a, b) in edges if (b, a) in edges and a < b]
    assert cycles == []


def test_the_walk_sees_function_level_imports():
    # a guard on the checker itself: an import inside a function is an import
    tree = ast.parse("def f():\n    from course_lib.vocoder import load_vocoder\n")
    assert [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] == ["course_lib.vocoder"]


def test_every_part_of_models_is_shared_or_a_model():
    parts = {path.stem if path.is_file() else path.name for path in MODELS.iterdir()
             if (path.suffix == ".py" or (path / "__init__.py").exists()) and path.stem != "__init__"}
    modules = {path.stem for path in MODELS.glob("*.py") if path.stem != "__init__"}
    assert set(SHARED_IN_MODELS) <= parts, "SHARED_IN_MODELS names a part course_lib/models no longer has"
    assert modules - set(SHARED_IN_MODELS) == set(), "a model is a package: list a new shared module in SHARED_IN_MODELS"


def test_no_shared_part_of_models_imports_a_model():
    upward = [f"{where}: {source} (shared) imports the model {target}"
              for source, target, where in model_imports()
              if source in SHARED_IN_MODELS and target not in SHARED_IN_MODELS]
    assert upward == []


def test_no_model_imports_another_model():
    sideways = [f"{where}: the model {source} imports the model {target}"
                for source, target, where in model_imports()
                if source not in SHARED_IN_MODELS and target not in SHARED_IN_MODELS]
    assert sideways == [], "move what two models share into a shared part (e.g. course_lib/models/waveform)"


def test_the_walk_names_the_submodule_a_from_import_brings():
    # a guard on the checker itself: `from course_lib.models import recipe` imports the shared module recipe,
    # `from course_lib.models import model_of_config` the registry (no part)
    assert is_module("course_lib.models.recipe") and not is_module("course_lib.models.model_of_config")
    assert ("glow_tts", "recipe") in {(source, target) for source, target, _ in model_imports()}
