# Build: the query descriptions in .sqlx/ let the build run without a database.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
ENV SQLX_OFFLINE=true
RUN cargo build --release --locked --bin nap-oversight

# Run: one self-contained binary (templates, styles and translations inside).
FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /nonexistent nap \
    && mkdir -p /var/lib/nap/mail && chown -R nap /var/lib/nap
COPY --from=build /src/target/release/nap-oversight /usr/local/bin/nap-oversight
USER nap
# Without NAP_SMTP_URL, mail is written here as .eml files.
ENV NAP_BIND=0.0.0.0:8080 NAP_DATA_DIR=/var/lib/nap NAP_MAIL_DIR=/var/lib/nap/mail
EXPOSE 8080
CMD ["nap-oversight", "serve"]
