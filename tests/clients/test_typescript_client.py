"""The TypeScript types that openapi-typescript generates from the served schema carry a typed client
(tests/clients/ts/client.ts) through `tsc --strict`."""

from tests.clients.conftest import TSC, run


def test_typed_client_compiles_strictly_against_the_generated_types(typescript_types):
    directory = typescript_types.path
    result = run(
        [
            str(TSC),
            "--strict",
            "--noEmit",
            "--target",
            "es2022",
            "--lib",
            "es2022,dom",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            str(directory / "client.ts"),
        ]
    )
    assert result.returncode == 0, result.stdout + result.stderr
