"""The files an offline bundle carries besides Python and the wheels: launchers and the Chinese instructions."""

from __future__ import annotations

from station_tui.paths import APP_NAME

# ASCII only: cmd.exe reads a batch file in the console's code page (GBK on a Chinese Windows), not UTF-8.
# -X utf8: UTF-8 mode, so that files and pipes are UTF-8 whatever the code page. A double-click runs it without
# arguments; when the app then fails, pause so that the clerk can read the message before the window closes.
WINDOWS_CMD = """@echo off
rem station-tui: starts the app; arguments are passed through (station-tui.cmd --help).
"%~dp0python.exe" -X utf8 -m station_tui %*
set "STATION_TUI_STATUS=%ERRORLEVEL%"
if not "%STATION_TUI_STATUS%"=="0" if "%~1"=="" pause
exit /b %STATION_TUI_STATUS%
"""

# POSIX sh (Debian's dash, UOS, Kylin). pip is run from its own locked wheel, and the virtual environment is made
# --without-pip, so that neither python3-venv's ensurepip nor python3-pip needs to be installed on the station PC.
LINUX_INSTALL = """#!/bin/sh
# station-tui offline install: sh install.sh [PREFIX]
# Makes a virtual environment in PREFIX (default: ~/.local/opt/station-tui-VERSION) from the wheels beside this
# script, without any network, and prints the path of the station-tui command. PYTHON=/path/to/python3.x picks the
# interpreter; else the first of python3.13 … python3.10, python3 that is 3.10–3.13.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=$(sed -n 's/^station-tui==\\([^ ]*\\) .*/\\1/p' "$HERE/requirements.txt")
PREFIX=${1:-"$HOME/.local/opt/station-tui-$VERSION"}

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
    for candidate in python3.13 python3.12 python3.11 python3.10 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; then
            PYTHON=$candidate
            break
        fi
    done
fi
if [ -z "$PYTHON" ]; then
    echo "错误：需要 Python 3.10–3.13，本机的 python3 是：$(python3 --version 2>&1 || echo 没有)。" \
        "较早的统信 UOS、麒麟自带的 python3 低于 3.10：装好 3.10–3.13 后用 PYTHON=它的路径 sh install.sh" >&2
    exit 1
fi
PIP_WHEEL=$(ls "$HERE"/wheelhouse/pip-*.whl | head -n 1)

"$PYTHON" -m venv --without-pip "$PREFIX"
# PIP_CONFIG_FILE=/dev/null: no index or constraint from this PC's pip settings; only the wheelhouse, only the
# hashes in requirements.txt.
PIP_CONFIG_FILE=/dev/null "$PREFIX/bin/python" "$PIP_WHEEL/pip" install --quiet --disable-pip-version-check \\
    --no-index --find-links "$HERE/wheelhouse" --require-hashes -r "$HERE/requirements.txt"
echo "station-tui $VERSION 已安装（$("$PREFIX/bin/python" --version)）。命令："
echo "$PREFIX/bin/station-tui"
"""


def windows_readme(version: str) -> str:
    return f"""station-tui {version} 离线安装说明（Windows）

一、系统要求
  需要 Windows 10 或 Windows 11（64 位）。不需要联网，不需要另外安装 Python。
  Windows 7 不能运行：本包自带的 Python 3.13 不支持 Windows 7（Python 3.9 起就不再支持），
  界面所用的 Textual 也需要 Windows 10 起的控制台。Windows 7 的电脑请先升级系统。

二、安装
  1. 把本 zip 文件复制到这台电脑，右键 → "全部解压缩"，解压到一个文件夹，
     例如 D:\\station-tui\\（路径里可以有中文和空格）。不要在压缩包里直接双击运行。
  2. 双击文件夹里的 station-tui.cmd 启动。第一次启动会要求填写供电所信息和第一位站长。
     可以右键 station-tui.cmd → "发送到" → "桌面快捷方式"，以后从桌面启动。
  3. 命令行用法：在该文件夹打开命令提示符，运行 station-tui.cmd --help，
     例如 station-tui.cmd check（检查数据库）、station-tui.cmd backup --to E:\\（备份到 U 盘）。

三、数据存放位置
  数据库是一个文件：%LOCALAPPDATA%\\{APP_NAME}\\station.db
  （例如 C:\\Users\\用户名\\AppData\\Local\\{APP_NAME}\\station.db），不在程序文件夹里，
  所以删除或更换程序文件夹不会动到数据。也可以用 --db 文件 或环境变量 STATION_TUI_DB 指定别的位置。

四、升级到新版本
  1. 退出 station-tui。
  2. 把新版本的 zip 解压到旧版本旁边的新文件夹（例如 D:\\station-tui-新版本号\\），不要覆盖旧文件夹。
  3. 双击新文件夹里的 station-tui.cmd。数据库仍在上面的用户数据文件夹里；新版本第一次打开它时，
     先在数据库旁边自动备份（station.backup-日期-时间….db），再升级数据库结构。
  4. 用新版本确认无误后，可以删除旧版本的文件夹。需要退回旧版本时，先把升级前的备份恢复为 station.db。

五、本包内容
  python.exe 等：Python 软件基金会发布的官方 Windows 嵌入式 Python（已签名），只在本文件夹内使用，
  不修改注册表和系统 PATH。Lib\\site-packages：station-tui 及其依赖。station-tui.cmd：启动程序。
"""


def linux_readme(version: str) -> str:
    return f"""station-tui {version} 离线安装说明（Linux x86_64）

适用于 Debian 12、Ubuntu 22.04、统信 UOS、麒麟等，需要系统自带的 Python 3.10–3.13（python3 --version 查看）。
不需要联网。

  1. 解压：unzip station-tui-{version}-linux-x86_64.zip
  2. 安装：sh station-tui-{version}-linux-x86_64/install.sh [安装目录]
     默认安装到 ~/.local/opt/station-tui-{version}，最后一行是 station-tui 命令的完整路径。
  3. 运行：该路径，例如 ~/.local/opt/station-tui-{version}/bin/station-tui

数据库在 ~/.local/share/{APP_NAME}/station.db，不在安装目录里。
升级：新版本安装到新的目录（默认目录带版本号），数据库不动；新版本第一次打开数据库时先备份再升级结构。
"""
