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
DEBIAN_PACKAGES=(pkg-config libasound2-dev g++ libclang-dev cmake
  pulseaudio pulseaudio-utils libasound2-plugins alsa-utils
  xvfb xdotool imagemagick
  libx11-6 libx11-xcb1 libxcursor1 libxi6 libxkbcommon-x11-0 libgl1 libgl1-mesa-dri
  mesa-vulkan-drivers libvulkan1)

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
  exit 0
fi

cat <<'TXT'
setup: not a Debian/Ubuntu system; install these yourself, then run cargo:
  Fedora:  sudo dnf install pkgconf-pkg-config alsa-lib-devel gcc-c++ clang-devel cmake pulseaudio pulseaudio-utils alsa-plugins-pulseaudio alsa-utils xorg-x11-server-Xvfb xdotool ImageMagick libXcursor libXi libxkbcommon-x11 mesa-libGL mesa-dri-drivers mesa-vulkan-drivers vulkan-loader
  Arch:    sudo pacman -S --needed pkgconf alsa-lib gcc clang cmake pulseaudio alsa-plugins alsa-utils xorg-server-xvfb xdotool imagemagick libxcursor libxi libxkbcommon-x11 mesa vulkan-swrast vulkan-icd-loader
  macOS:   xcode-select --install && brew install cmake   (CoreAudio and libclang come with Xcode)
  Windows: Visual Studio Build Tools with "Desktop development with C++",
           LLVM (winget install LLVM.LLVM) for libclang, and CMake (winget install Kitware.CMake)
TXT
