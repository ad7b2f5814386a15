# syntax=docker/dockerfile:1
#
# vespa-worker image for vast.ai serverless (docs/deploy.md).
#
#   docker build -t vespa-worker:cpu .                                  # CPU (default)
#   docker build --build-arg VARIANT=cuda -t vespa-worker:cuda .        # NVIDIA GPUs
#   docker build --build-arg VARIANT=cuda --build-arg CUDA_FALLBACK=false -t vespa-worker:cuda13 .
#
# Stages:
#   natives       llama.cpp v0.5.0 from the pinned npm packages, sha512-checked, by the same script the
#                 build uses (scripts/fetch-llama-native.sh; llama-native.md §11)
#   build         scripts/publish.sh: vespa-worker and vespa-client as Native AOT executables (linux-x64,
#                 self-contained, trim/AOT warnings are errors)
#   runtime-cpu   mcr.microsoft.com/dotnet/runtime-deps (Ubuntu 24.04, glibc; musl/alpine cannot load the
#                 libraries): the native dependencies of a .NET executable, no .NET runtime needed
#   runtime-cuda  nvidia/cuda runtime (CUDA 13: libcudart/libcublas 13) + the same native dependencies; with
#                 CUDA_FALLBACK=true also the CUDA 12 build of libggml-cuda in native/fallback/ and the CUDA 12
#                 libraries it needs, for hosts whose driver is older than CUDA 13 (R580)
#   final         runtime-$VARIANT + natives + app; ENTRYPOINT scripts/start_server.sh
#
# Runs as root by default: on vast.ai the entrypoint writes /etc/instance.crt, /etc/instance.key and
# /etc/environment, and vast.ai's SSH and Jupyter launch modes expect root. The image also has an
# unprivileged user "app" (uid 1654) for other platforms: docs/deploy.md, "Running as non-root".

ARG VARIANT=cpu
ARG CUDA_FALLBACK=true
ARG DOTNET_TAG=10.0
ARG NODE_IMAGE=node:22-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:13.1.0-runtime-ubuntu24.04
# The CUDA 12 packages (NVIDIA's apt repository, already configured in the nvidia/cuda images) that the
# fallback libggml-cuda.so (built with CUDA 12.4) loads: libcudart.so.12 and libcublas.so.12.
ARG CUDA12_PACKAGE_VERSION=12-8

# --- natives --------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS natives
ARG VARIANT
ARG CUDA_FALLBACK
# The script checks the tarball's sha512 with openssl (python3 is not in the slim image).
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/fetch-llama-native.sh scripts/fetch-llama-native.sh
RUN set -eu; \
    case "${VARIANT}" in \
      cpu) bash scripts/fetch-llama-native.sh /native ;; \
      cuda) \
        if [ "${CUDA_FALLBACK}" = "true" ]; then \
          bash scripts/fetch-llama-native.sh --cuda-fallback /native; \
        else \
          bash scripts/fetch-llama-native.sh --cuda /native; \
        fi ;; \
      *) echo "VARIANT must be cpu or cuda, not '${VARIANT}'" >&2; exit 2 ;; \
    esac; \
    ls -la /native

# --- build ----------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build
# Native AOT links with clang against zlib.
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Project files first, so the restore layer is reused while only sources change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Core/Vespa.Core.csproj src/Core/
COPY src/Engine/Vespa.Engine.csproj src/Engine/
COPY src/Benchmarks/Vespa.Benchmarks.csproj src/Benchmarks/
COPY src/Worker/Vespa.Worker.csproj src/Worker/
COPY src/Emulator/Vespa.Emulator.csproj src/Emulator/
COPY src/Client/Vespa.Client.csproj src/Client/
# Restored for linux-x64 with PublishAot, so the ILCompiler packages are in this layer too.
RUN dotnet restore src/Worker/Vespa.Worker.csproj -r linux-x64 -p:PublishAot=true \
 && dotnet restore src/Client/Vespa.Client.csproj -r linux-x64 -p:PublishAot=true
COPY src/ src/
COPY scripts/publish.sh scripts/publish.sh
# The natives come from the natives stage (copied into the final image on their own layer), so the
# build neither fetches them (VespaSkipNativeFetch) nor finds any (native/ is in .dockerignore).
# /app/vespa-worker and /app/client/vespa-client: one executable each, no .NET runtime needed.
RUN bash scripts/publish.sh --out /app -- --no-restore -p:VespaSkipNativeFetch=true \
 && rm -f /app/*.dbg /app/client/*.dbg

# --- runtime-cpu ----------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_TAG} AS runtime-cpu
# curl and openssl for start_server.sh (sign_cert, key and CSR, the error beacon): installed here
# because nothing is installed when the container starts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# --- runtime-cuda ---------------------------------------------------------------------------------
FROM ${CUDA_IMAGE} AS runtime-cuda
ARG CUDA_FALLBACK
ARG CUDA12_PACKAGE_VERSION
# The Native AOT executables need no .NET runtime: only libc, libstdc++, libssl and zlib (ICU is not
# needed: invariant globalization), installed below with curl/openssl for start_server.sh.
RUN set -eu; \
    apt-get update; \
    apt-get install -y --no-install-recommends curl openssl ca-certificates tzdata zlib1g libstdc++6; \
    if [ "${CUDA_FALLBACK}" = "true" ]; then \
      apt-get install -y --no-install-recommends \
        "cuda-cudart-${CUDA12_PACKAGE_VERSION}" "libcublas-${CUDA12_PACKAGE_VERSION}"; \
      cuda12="/usr/local/cuda-$(echo "${CUDA12_PACKAGE_VERSION}" | tr - .)/targets/x86_64-linux/lib"; \
      test -e "${cuda12}/libcudart.so.12"; \
      echo "${cuda12}" > /etc/ld.so.conf.d/zz-vespa-cuda12.conf; \
      ldconfig; \
    fi; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --gid 1654 app; \
    useradd --uid 1654 --gid 1654 --create-home app

# --- final ----------------------------------------------------------------------------------------
FROM runtime-${VARIANT}
ARG VARIANT
LABEL org.opencontainers.image.title="vespa-worker (${VARIANT})" \
      org.opencontainers.image.description="Worker proxy for vast.ai serverless with an embedded llama.cpp engine"
# Natives first: they change only with the pinned package, so this layer is shared between app builds.
COPY --from=natives /native /app/native
COPY --from=build /app /app
COPY --chmod=0755 scripts/start_server.sh /app/scripts/start_server.sh
RUN ln -s /app/client/vespa-client /usr/local/bin/vespa-client \
 && mkdir -p /workspace \
 && chown app:app /workspace
ENV LLAMA_NATIVE_DIR=/app/native \
    GGML_NO_BACKTRACE=1 \
    VESPA_WORKER_BIN=/app/vespa-worker \
    ASPNETCORE_HTTP_PORTS=
# The benchmark cache (.has_benchmark) lands in the working directory.
WORKDIR /workspace
# 3000: the worker; 3001: plain-HTTP POST /session/end (WORKER_HTTP_PORT, as the official worker).
EXPOSE 3000 3001
ENTRYPOINT ["/app/scripts/start_server.sh"]
