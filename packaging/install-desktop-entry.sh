#!/usr/bin/env sh
# Add ConvStudio to the desktop's application menu for the current user (after `pip install`).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
mkdir -p "$apps" "$icons"
cp "$here/convstudio.desktop" "$apps/convstudio.desktop"
cp "$here/../resources/icon.svg" "$icons/convstudio.svg"
echo "Installed $apps/convstudio.desktop"
