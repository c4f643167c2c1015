#!/usr/bin/env bash
# One-time system set-up for building and testing Earmark. Idempotent: it
# installs only what is missing. On Debian/Ubuntu it installs the packages
# itself (as root, or through sudo); elsewhere it prints what to install.
set -euo pipefail

# Build: ALSA headers for cpal; a C++ compiler and libclang for the
# time-stretcher (signalsmith-stretch compiles C++ and runs bindgen); cmake
# for libopus, which symphonia-adapter-libopus builds from source.
# Tests: tests/e2e_pulse.rs and tests/e2e_window.rs play through a PulseAudio
# null sink they start themselves (pulseaudio), record it (parec from
# pulseaudio-utils), and reach it from ALSA's default device through the pulse
# plugin (libasound2-plugins; alsa-utils to look at ALSA by hand).
# tests/e2e_window.rs also runs the window on a virtual display (xvfb), clicks
# it (xdotool) and takes screenshots (imagemagick's import).
# The window itself, which loads these at run time (checked by running it
# under LD_DEBUG=libs): X11 through winit (libx11-6, libx11-xcb1, libxcursor1,
# libxi6, libxkbcommon-x11-0) and OpenGL through GLX, on Mesa's software
# renderer where there is no GPU (libgl1, libgl1-mesa-dri). On X11 eframe
# prefers GLX to EGL, so libegl1 is not needed; fonts come with egui.
# tests/ui_snapshots.rs renders the window on the CPU through wgpu on Mesa's
# lavapipe (mesa-vulkan-drivers, libvulkan1).
# tests/review_export.rs reads the EDL export back with OpenTimelineIO's CMX
# 3600 reader and checks the chapters against a JSON Schema with Python's
# jsonschema: python3 and python3-venv here, and OpenTimelineIO with its CMX
# 3600 adapter and jsonschema from PyPI in a virtual environment of its own,
# made below where the test looks for it.
# tests/e2e_mpris.rs drives the window through MPRIS: a private session bus
# (dbus-daemon, from dbus) and playerctl. The app itself needs no D-Bus
# library: it speaks D-Bus in Rust (zbus).
# tests/packaging.rs validates the desktop entry (desktop-file-validate from
# desktop-file-utils), the AppStream metainfo (appstreamcli from appstream),
# and the MIME definition against shared-mime-info's DTD (xmllint from
# libxml2-utils) and with its update-mime-database (shared-mime-info).
DEBIAN_PACKAGES=(pkg-config libasound2-dev g++ libclang-dev cmake
  pulseaudio pulseaudio-utils libasound2-plugins alsa-utils
  # tests/packaging.rs lints the macOS packaging scripts with shellcheck
  shellcheck
  xvfb xdotool imagemagick
  libx11-6 libx11-xcb1 libxcursor1 libxi6 libxkbcommon-x11-0 libgl1 libgl1-mesa-dri
  mesa-vulkan-drivers libvulkan1
  python3 python3-venv
  desktop-file-utils appstream libxml2-utils shared-mime-info
  dbus playerctl)

# OpenTimelineIO itself (0.18) reads no EDL: its CMX 3600 reader is a package
# of its own.
OTIO_PACKAGES=(opentimelineio==0.18.1 otio-cmx3600-adapter==1.0.0 jsonschema==4.23.0)
OTIO_VENV="${XDG_CACHE_HOME:-$HOME/.cache}/earmark/otio-venv"

# Makes $OTIO_VENV with OpenTimelineIO, its CMX 3600 adapter and jsonschema,
# unless it already has them. Needs no root: the venv is in the cache of the user
# running this, who should be the one running the tests.
install_otio() {
  local python="$OTIO_VENV/bin/python"
  if "$python" -c 'import jsonschema, opentimelineio.adapters as a; a.from_name("cmx_3600")' >/dev/null 2>&1; then
    return 0
  fi
  echo "setup: installing ${OTIO_PACKAGES[*]} in $OTIO_VENV"
  python3 -m venv "$OTIO_VENV"
  "$python" -m pip install --quiet --disable-pip-version-check "${OTIO_PACKAGES[@]}"
}

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    echo "setup: installing ${missing[*]}"
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
  fi
  install_otio
  exit 0
fi

if command -v python3 >/dev/null 2>&1; then
  install_otio
else
  echo "setup: no python3; install Python 3, then run this again (for OpenTimelineIO, which tests/review_export.rs reads EDLs with)"
fi

cat <<'TXT'
setup: not a Debian/Ubuntu system; install these yourself, then run cargo:
  Fedora:  sudo dnf install pkgconf-pkg-config alsa-lib-devel gcc-c++ clang-devel cmake pulseaudio pulseaudio-utils alsa-plugins-pulseaudio alsa-utils xorg-x11-server-Xvfb xdotool ImageMagick libXcursor libXi libxkbcommon-x11 mesa-libGL mesa-dri-drivers mesa-vulkan-drivers vulkan-loader dbus-daemon playerctl
  Arch:    sudo pacman -S --needed pkgconf alsa-lib gcc clang cmake pulseaudio alsa-plugins alsa-utils xorg-server-xvfb xdotool imagemagick libxcursor libxi libxkbcommon-x11 mesa vulkan-swrast vulkan-icd-loader dbus playerctl
  macOS:   xcode-select --install && brew install cmake   (CoreAudio and libclang come with Xcode)
  Windows: Visual Studio Build Tools with "Desktop development with C++",
           LLVM (winget install LLVM.LLVM) for libclang, and CMake (winget install Kitware.CMake)
TXT
