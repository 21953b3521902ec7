// GraphQL Code Generator: typed document nodes for every operation in
// src/**/*.ts(x), from the server's schema (graph/schema/*.graphqls, the
// same files gqlgen reads). `npm run codegen` writes src/gql/; CI fails when
// the committed output differs from a fresh run.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../../graph/schema/*.graphqls",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*", "!src/**/*.test.ts"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      // Documents as strings (TypedDocumentString): no GraphQL parser or
      // printer in the bundle, and the same text goes over HTTP and the socket.
      config: {
        documentMode: "string",
        // Only the types the operations use: a schema change elsewhere does
        // not touch the generated code.
        onlyOperationTypes: true,
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: {
          Credits: "number",
          Int64: "number",
          Time: "string",
          JSON: "unknown",
        },
      },
    },
  },
};

export default config;
