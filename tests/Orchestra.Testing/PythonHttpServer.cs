namespace Orchestra.Testing;

/// <summary>Python scripts for HTTP services in tests: they listen on <c>PORT</c> and answer every GET with one body.</summary>
public static class PythonHttpServer
{
    /// <summary>
    /// A server answering with <paramref name="body"/>, a Python expression of type str. On SIGTERM it finishes the
    /// requests it has, as a well-behaved service does, so that a restart can be seen to lose none.
    /// </summary>
    public static string Answering(string body) => $$"""
        import http.server, os, signal, threading
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ({{body}}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = False
        server = Server(("127.0.0.1", int(os.environ["PORT"])), Handler)
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        server.serve_forever()
        server.server_close()
        """;
}
