# SPDX-License-Identifier: MIT
# The one converge image: every step executable (converge, converge-<step>) on PATH.
#
#   build stage    Debian bookworm + the -dev packages, CMake Release build, tests off
#   files stage    Debian bookworm + the runtime libraries and pg_dump; collects the
#                  final root file system (scripts/image-rootfs.sh)
#   runtime stage  from scratch: the executables (converge, converge-steps and its
#                  converge-<step> links), the libraries they load, pg_dump, the CA bundle
#
# Built without a Docker engine by scripts/build-image.sh (buildah on a base made by
# mmdebstrap); any OCI builder works:
#   docker build --build-arg GIT_SHA=$(git rev-parse --short=12 HEAD) -t converge .
#
# Build arguments:
#   BASE_IMAGE  Debian bookworm base of both stages (default debian:bookworm-slim;
#               build-image.sh passes the one it made with mmdebstrap)
#   GIT_SHA     commit the image is built from; `converge --version` prints it
#   VERSION     image version label (the CMake project version is what --version prints)
#   CREATED     RFC 3339 build time for the org.opencontainers.image.created label
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
# Few instructions on purpose: with buildah's vfs storage every layer is a full copy.
# The -dev packages of scripts/install-deps.sh that the library and the steps link;
# no GoogleTest, benchmark or PostgreSQL server: the tests do not run here.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev libgit2-dev \
      libcxxopts-dev libspdlog-dev libfmt-dev libpq-dev libsqlite3-dev libssl-dev libdtl-dev libzip-dev \
 && rm -rf /var/lib/apt/lists/*
# .dockerignore lets only CMakeLists.txt, cmake/, src/ and steps/ in.
COPY . /src
ARG GIT_SHA=unknown
# CMakeLists.txt takes the commit from CONVERGE_GIT_SHA when there is no .git (there
# is none in the build context, on purpose: the context stays small and reproducible).
# Release at -O2, not CMake's -O3: g++ 12 at -O3 reports a false -Wstringop-overflow
# in std::string inlining (GCC bug 105329), which -Werror turns into a failed build.
RUN CONVERGE_GIT_SHA="${GIT_SHA}" cmake -S /src -B /build -DCMAKE_BUILD_TYPE=Release -DCONVERGE_TESTS=OFF \
      -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_INSTALL_PREFIX=/usr/local \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/staging cmake --install /build --strip \
 && rm -rf /build

FROM ${BASE_IMAGE} AS files
# The runtime libraries the executables load, the CA bundle libcurl needs for the
# GitHub API and HTTPS providers, and pg_dump, which writes the PostgreSQL schema
# snapshot (docs/providers/sql.md, Drift coverage); then image-rootfs.sh takes from
# this Debian system only what those executables load into /rootfs.
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
      ca-certificates libcurl4 libyaml-cpp0.7 libgit2-1.5 libpq5 libsqlite3-0 libssl3 libzip4 \
      libspdlog1.10 libfmt9 postgresql-client
COPY --from=build /staging/usr/local/bin/ /usr/local/bin/
COPY scripts/image-rootfs.sh /usr/local/sbin/
# converge-steps loads libcurl, libpq, libgit2 and libzip when first used: ldd does
# not show them, so it lists them itself (and fails here if one does not load).
RUN /usr/local/bin/converge-steps --lazy-libraries >/tmp/lazy-libraries \
 && image-rootfs.sh /rootfs /usr/local/bin/converge* /usr/lib/postgresql/*/bin/pg_dump \
      $(cut -d' ' -f2 /tmp/lazy-libraries)

# The image: no shell, no package manager, no Debian userland; only the above.
FROM scratch AS runtime
COPY --from=files /rootfs/ /
ENV PATH=/usr/local/bin

# The user: root, as GitHub's documentation asks of Docker actions (no USER). The
# runner's bind mounts (/github/workspace, /github/file_commands for GITHUB_OUTPUT,
# /github/home) belong to the runner's user, whatever its uid (1001 on GitHub-hosted
# runners, anything on self-hosted ones): a step started as root in a runner drops to
# the owner of GITHUB_WORKSPACE before it reads or writes anything
# (src/converge/steps/workspace_owner.hpp), so libgit2's owner check passes and what
# it writes belongs to the runner.
WORKDIR /github/workspace

ARG GIT_SHA=unknown
ARG VERSION=0.1.0
ARG CREATED=unknown
LABEL org.opencontainers.image.title="converge" \
      org.opencontainers.image.description="Git-first deployments across environments: plan, apply, drift-verify, record-manifest, export-to-pr as GitHub Actions steps" \
      org.opencontainers.image.source="https://github.com/converge-dev/converge" \
      org.opencontainers.image.url="https://github.com/converge-dev/converge" \
      org.opencontainers.image.documentation="https://github.com/converge-dev/converge/tree/main/docs" \
      org.opencontainers.image.vendor="converge-dev" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_SHA}" \
      org.opencontainers.image.created="${CREATED}"

# `docker run IMAGE apply --env dev` runs `converge apply --env dev`. The actions set
# their own entrypoint (actions/<step>/action.yml); a job container replaces it.
ENTRYPOINT ["/usr/local/bin/converge"]
CMD ["--help"]
