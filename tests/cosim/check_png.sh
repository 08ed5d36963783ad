#!/usr/bin/env bash
# Passes when PNG is an image of at least 800x400 pixels with at least 16
# colours: GTKWave drew its window (a display with no window, or a blank
# screen, has one or two colours).
set -euo pipefail
png=${1:?usage: check_png.sh IMAGE.png}
read -r w h colours < <(identify -format '%w %h %k\n' "$png")
echo "check_png: $png: ${w}x${h}, $colours colours"
if [ "$w" -lt 800 ] || [ "$h" -lt 400 ] || [ "$colours" -lt 16 ]; then
  echo "check_png: error: $png does not show a GTKWave window" >&2
  exit 1
fi
