"""The project's build step (``[tool.setuptools.cmdclass]`` in pyproject.toml): setuptools'
build_py, compiling the translation catalogs first, so every install, editable or not, has them.

Imported by setuptools at build time only (the running site has no need of setuptools), from
its file: the ``portal`` package is not importable while the project is being built, so its
sibling ``catalogs.py`` is loaded by path.
"""

import importlib.util
from pathlib import Path

from setuptools.command.build_py import build_py

_spec = importlib.util.spec_from_file_location(
    "_portal_catalogs", Path(__file__).with_name("catalogs.py")
)
catalogs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(catalogs)


class BuildPyWithCatalogs(build_py):
    def run(self):
        for mo in catalogs.catalogs_compile(locale_dir=catalogs.PROJECT_ROOT / "locale"):
            self.announce(f"compiled {mo.relative_to(catalogs.PROJECT_ROOT)}", level=2)
        super().run()
