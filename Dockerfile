# labkeeper's image: the controller, to run where the Docker engine and the kernel are (on an
# ARM Mac, inside Docker Desktop's or OrbStack's Linux VM). Builds for the platform it is built
# on or asked for: `docker build -t labkeeper .` (amd64 or arm64 machine), or
# `docker buildx build --platform linux/arm64,linux/amd64 -t labkeeper .`.
# BASE is any Debian 12 image; without a registry, images/build-labkeeper-image.sh makes one
# from Debian's packages (debootstrap) and builds this file with it.
#
# Run it (docs/macos.md explains each flag):
#   docker run -d --name labkeeper --privileged --pid host --network host \
#     -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD/labs:$PWD/labs" \
#     labkeeper run --dir "$PWD/labs"
ARG BASE=debian:bookworm

FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libyaml-cpp-dev libyaml-dev libnl-3-dev libnl-route-3-dev libcurl4-openssl-dev nlohmann-json3-dev \
      libcli11-dev prometheus-cpp-dev libcpprest-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY . /src
# WERROR=ON makes every warning an error (the test command builds the image so: it is its Release build).
ARG WERROR=OFF
RUN cmake -S /src -B /build -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=Release -DLABKEEPER_WERROR=${WERROR} \
 && cmake --build /build -j"$(nproc)" --target labkeeper

FROM ${BASE}
# iproute2 and iptables: the bridge kind's forwarding rule and stage commands on the host; git:
# `run --git` (the chart's source: git).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libyaml-cpp0.7 libyaml-0-2 libnl-3-200 libnl-route-3-200 libcurl4 libcpprest2.10 libprometheus-cpp-core1.0 \
      libssl3 ca-certificates iproute2 iptables git \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/labkeeper /usr/local/bin/labkeeper
ENTRYPOINT ["/usr/local/bin/labkeeper"]
CMD ["--help"]
