"""The plugin template round trip: ``territoires new-plugin``, install it, list it, test it.

The round trip runs in a FRESH virtual environment made with ``python -m venv --without-pip``
(instant, where ensurepip takes seconds). A ``.pth`` file makes the environment running these
tests visible inside it: its site-packages (through ``site.addsitedir``, so that their own
``.pth`` files, such as the editable install of territoires, are processed) and the source
folder of the territoires under test. So territoires, its dependencies, pip and pytest are
found without installing anything from the network; only the generated plugin is installed
into the fresh environment, with pip, as its README says. When hatchling (the plugin's build
backend) is importable there, the install needs no network at all (``--no-build-isolation``);
otherwise pip fetches hatchling from the package index into an isolated build environment.

The environment is made once for the module. Plugins installed in the environment running the
tests are visible inside it too, so the commands run there name the generated plugin in
``TERRITOIRES_PLUGINS``.
"""

from __future__ import annotations

import importlib.util
import io
import json
import keyword
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

import territoires
from territoires import cli
from territoires._template import MAX_NAME_LENGTH, plugin_files
from territoires.exceptions import FormatError
from territoires.testing import plugin_manager
from test_plugins import ENVIRONMENT

NAME = "lyon-demo"
TERRITORY = "69123"
DISTRIBUTION = f"territoires-{NAME}"
PACKAGE = "territoires_lyon_demo"
INDICATOR = f"{TERRITORY}.participants_residents"


def run(*argv: str) -> tuple[int, str]:
    """Run the command in-process; return its exit code and what it printed."""
    out = io.StringIO()
    code = cli.main(list(argv), out=out)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The package ``territoires new-plugin lyon-demo --territory 69123`` writes, and its output."""
    folder = tmp_path_factory.mktemp("plugins")
    code, out = run(
        "new-plugin", NAME, "--territory", TERRITORY, "--out", str(folder), "--lang", "en"
    )
    assert code == cli.EXIT_OK
    return folder / DISTRIBUTION, out


def _child_environment(**variables: str) -> dict[str, str]:
    """This process's environment, without what would change what a child imports or loads."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {*ENVIRONMENT, "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}
    }
    environment.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", **variables)
    return environment


def _host_paths() -> list[Path]:
    """Folders where this interpreter finds territoires and its dependencies."""
    paths = sysconfig.get_paths()
    sites = [Path(paths["purelib"]), Path(paths["platlib"])]
    return list(dict.fromkeys(sites))


@pytest.fixture(scope="module")
def fresh(generated: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh virtual environment where the generated plugin is installed."""
    root, _ = generated
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        env=_child_environment(),
    )
    scheme = {"base": str(venv), "platbase": str(venv)}
    site_packages = Path(sysconfig.get_path("purelib", vars=scheme))
    python = Path(sysconfig.get_path("scripts", vars=scheme)) / Path(sys.executable).name
    if not python.exists():
        python = python.with_name("python")
    source = Path(territoires.__file__).resolve().parents[1]
    lines = [str(source)]
    lines += [f"import site; site.addsitedir({str(path)!r})" for path in _host_paths()]
    (site_packages / "zz_territoires_host.pth").write_text("\n".join(lines) + "\n")
    environment = _child_environment()

    def importable(module: str) -> bool:
        command = [str(python), "-c", f"import {module}"]
        return subprocess.run(command, env=environment, capture_output=True).returncode == 0

    if not importable("pip"):  # the running environment has no pip to lend: bring one
        subprocess.run([str(python), "-m", "ensurepip"], env=environment, check=True)
    has_backend = importable("hatchling.build")
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(root)]
    if has_backend:
        install.insert(-2, "--no-build-isolation")
    result = subprocess.run(install, env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return python


# -- the generated files ---------------------------------------------------------------------------


def test_new_plugin_writes_an_installable_package(generated: tuple[Path, str]) -> None:
    """``new-plugin`` writes a package with an entry point, a module, tests and a README."""
    root, out = generated
    assert out == (
        f"wrote {root}: install it with `pip install -e {root}`, then `territoires plugins`\n"
    )
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "pyproject.toml",
        f"src/{PACKAGE}/__init__.py",
        "tests/test_plugin.py",
    ]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == DISTRIBUTION
    assert project["project"]["entry-points"]["territoires"] == {NAME: PACKAGE}
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == [f"src/{PACKAGE}"]
    assert "Lyon" in project["project"]["description"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert f"`{INDICATOR}`" in readme


def test_the_generated_module_registers_its_namespaced_indicator(
    generated: tuple[Path, str],
) -> None:
    """The generated plugin, registered in a test manager, adds its indicator and no error."""
    root, _ = generated
    path = root / "src" / PACKAGE / "__init__.py"
    spec = importlib.util.spec_from_file_location(PACKAGE, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manager = plugin_manager(module)
    registered = manager.indicators.registrations()
    assert [r.item.name for r in registered if not r.plugin.builtin] == [INDICATOR]
    assert manager.indicators[INDICATOR].namespace == TERRITORY
    assert manager.errors == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Lyon_Demo", "--territory", "69123"], "plugin name 'Lyon_Demo' must be lowercase"),
        (["lyon-x", "--territory", "99999"], "unknown territory '99999'"),
    ],
    ids=["bad-name", "unknown-territory"],
)
def test_new_plugin_refuses_bad_input_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """A bad plugin name or territory exits 2 with one line, and writes nothing."""
    code, out = run("new-plugin", *argv, "--out", str(tmp_path))
    captured = capsys.readouterr()
    assert code == cli.EXIT_USAGE
    assert out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("territoires: ")
    assert message in line
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_never_overwrites_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``new-plugin`` into an existing package folder exits 2 and leaves the folder as it was."""
    existing = tmp_path / DISTRIBUTION
    existing.mkdir()
    (existing / "mine.txt").write_text("keep me", encoding="utf-8")
    code, _ = run("new-plugin", NAME, "--territory", TERRITORY, "--out", str(tmp_path))
    (line,) = capsys.readouterr().err.splitlines()
    assert code == cli.EXIT_USAGE
    assert "exists already" in line
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]


# -- the round trip in a fresh environment ---------------------------------------------------------


def test_the_installed_plugin_is_listed_in_a_fresh_environment(fresh: Path) -> None:
    """Installed with pip, the generated plugin is listed with its namespaced indicator."""
    result = subprocess.run(
        [str(fresh), "-m", "territoires", "plugins", "--format", "json"],
        env=_child_environment(TERRITOIRES_PLUGINS=NAME),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["errors"] == []
    (entry,) = document["plugins"]
    assert entry == {
        "name": NAME,
        "distribution": DISTRIBUTION,
        "version": "0.1.0",
        "builtin": False,
        "module": PACKAGE,
        "status": "ok",
        "hooks": ["register_indicators"],
        "registers": {"indicators": [INDICATOR]},
        "errors": [],
    }


def test_the_generated_tests_pass_in_the_fresh_environment(
    fresh: Path, generated: tuple[Path, str]
) -> None:
    """The tests shipped with the generated plugin pass where the plugin is installed."""
    root, _ = generated
    result = subprocess.run(
        [str(fresh), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests")],
        cwd=root,
        env=_child_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("2 passed")


# -- names -----------------------------------------------------------------------------------------

DISTRIBUTION_NAME = re.compile(r"([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])", re.IGNORECASE)
"""A valid distribution name (the core metadata specification, after PEP 508)."""
ENTRY_POINT_NAME = re.compile(r"[\w.-]+")
"""What an entry point's name should be (the entry points specification)."""
RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(10)),
    *(f"lpt{n}" for n in range(10)),
}
"""Names Windows refuses for a file or folder, whatever the suffix."""

NAMES = st.from_regex(r"[a-z][a-z0-9]{0,30}(-[a-z0-9]{1,12}){0,6}", fullmatch=True)
"""Names of the accepted shape, some of them too long."""


def _check_package(name: str, files: dict[str, str]) -> None:
    """Assert that the package ``new-plugin NAME`` writes has valid names and metadata."""
    project = tomllib.loads(files["pyproject.toml"])["project"]
    distribution = project["name"]
    assert DISTRIBUTION_NAME.fullmatch(distribution)
    assert canonicalize_name(distribution) == distribution  # already normalised (PEP 503)
    assert Requirement(distribution).name == distribution
    ((entry_point, package),) = project["entry-points"]["territoires"].items()
    assert entry_point == name
    assert ENTRY_POINT_NAME.fullmatch(entry_point)
    assert package.isidentifier()
    assert not keyword.iskeyword(package)
    assert f"src/{package}/__init__.py" in files
    folder = f"territoires-{name}"  # what write_plugin creates
    assert folder not in {".", ".."}
    assert "/" not in folder
    assert "\\" not in folder
    assert folder.split(".")[0].lower() not in RESERVED
    wheel = f"{package}-{project['version']}-py3-none-any.whl"
    assert canonicalize_name(parse_wheel_filename(wheel)[0]) == distribution
    assert len(wheel.encode()) <= 255 - 40  # room for longer versions and build tags


@given(name=NAMES | st.text(max_size=80))
def test_every_name_new_plugin_accepts_makes_a_valid_distribution(name: str) -> None:
    """A name is refused with the rule, or makes a package whose names and metadata are valid."""
    try:
        files = plugin_files(name, TERRITORY, "Lyon")
    except FormatError as refused:
        message = str(refused)
    else:
        _check_package(name, files)
        return
    assert "lowercase letters and digits, words joined by single '-'" in message
    assert f"at most {MAX_NAME_LENGTH} characters" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "name",
    [
        "a" * (MAX_NAME_LENGTH + 1),
        "lyon/../../x",
        "..",
        "lyon.jeunes",
        "lyon--jeunes",
        "-lyon",
        "lyon-",
        "1lyon",
        "lyon_jeunes",
        "Lyon",
        "lyön",
        "",
        "lyon jeunes",
        "con\n",
    ],
)
def test_new_plugin_refuses_a_name_that_cannot_become_a_wheel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A name too long, with a separator, a dot or another character: exit 2, nothing written."""
    code, out = run("new-plugin", "--territory", TERRITORY, "--out", str(tmp_path), "--", name)
    (line,) = capsys.readouterr().err.splitlines()
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert line.startswith("territoires: plugin name ")
    assert line.endswith(
        f"lowercase letters and digits, words joined by single '-', starting with a letter, "
        f"at most {MAX_NAME_LENGTH} characters (e.g. lyon-jeunes)"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_longest_accepted_name_builds_a_wheel_with_its_names(tmp_path: Path) -> None:
    """A plugin of the longest name ``new-plugin`` accepts builds a wheel, named as it says.

    Built with pip (its build backend comes from the package index, as for any user).
    """
    name = "a" + "-b2" * ((MAX_NAME_LENGTH - 1) // 3)
    assert len(name) == MAX_NAME_LENGTH
    code, _ = run("new-plugin", name, "--territory", TERRITORY, "--out", str(tmp_path))
    assert code == cli.EXIT_OK
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(tmp_path / f"territoires-{name}"),
        ],
        env=_child_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tmp_path / "dist").iterdir()
    distribution, version, _, _ = parse_wheel_filename(wheel.name)
    assert (distribution, str(version)) == (f"territoires-{name}", "0.1.0")
    package = "territoires_" + name.replace("-", "_")
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"{package}-0.1.0.dist-info/entry_points.txt").decode()
    assert f"{name} = {package}" in entry_points
