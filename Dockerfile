# calmock in a container: a static binary on a distroless base, running as non-root.
#   docker build -t calmock .
#   docker run --rm -p 8080:8080 calmock            (flags go after the image: calmock -seed 7)
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/calmock ./cmd/calmock

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/calmock /calmock
USER nonroot:nonroot
EXPOSE 8080
# The image has no shell or curl: the binary checks itself (GET /_calmock/health).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["/calmock", "-addr", ":8080", "-healthcheck"]
ENTRYPOINT ["/calmock", "-addr", ":8080"]
