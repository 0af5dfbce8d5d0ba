"""Command line: ``python -m sandbox --host 127.0.0.1 --port 8765 [options]``."""

import argparse
import logging
import sys

from werkzeug.serving import WSGIRequestHandler, make_server

from .server import SandboxServer


class QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, *args, **kwargs):
        if self.server.verbose:
            super().log_request(*args, **kwargs)

    def connection_dropped(self, error, environ=None):
        pass


def build_parser():
    p = argparse.ArgumentParser(prog="python -m sandbox", description="Local Xero API emulator")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--seed", default="demo", help="demo | empty | path to a JSON seed file")
    p.add_argument("--time-scale", type=float, default=1.0)
    p.add_argument("--min-limit", type=int, default=60)
    p.add_argument("--day-limit", type=int, default=5000)
    p.add_argument("--concurrent-limit", type=int, default=5)
    p.add_argument("--webhook-url")
    p.add_argument("--webhook-key")
    p.add_argument(
        "--attachment-limit",
        type=int,
        default=10 * 1024 * 1024,
        help="maximum attachment size in bytes",
    )
    p.add_argument(
        "--no-validate",
        action="store_true",
        help="do not validate requests/responses against the OpenAPI spec",
    )
    p.add_argument(
        "--response-validation",
        choices=("schema", "openapi-core"),
        default="schema",
        help="how responses are checked against the spec: "
        "compiled per-operation schema validators (fast) or openapi-core",
    )
    p.add_argument("--verbose", action="store_true", help="log every request")
    return p


def serve(args, ready=None):
    app = SandboxServer(
        seed=args.seed,
        time_scale=args.time_scale,
        min_limit=args.min_limit,
        day_limit=args.day_limit,
        concurrent_limit=args.concurrent_limit,
        webhook_url=args.webhook_url,
        webhook_key=args.webhook_key,
        validate=not args.no_validate,
        attachment_limit=args.attachment_limit,
        response_validation=args.response_validation,
    )
    httpd = make_server(args.host, args.port, app, threaded=True, request_handler=QuietHandler)
    httpd.verbose = args.verbose
    httpd.daemon_threads = True
    return app, httpd


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    _app, httpd = serve(args)
    print(f"SANDBOX LISTENING http://{args.host}:{httpd.server_port}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        print("sandbox stopped", file=sys.stderr)
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
