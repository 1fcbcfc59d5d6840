/**
 * Operations Close documents outside its published OpenAPI file. The file
 * (spec/close-openapi.yml, an unmodified copy) has no `/data/search/`; this
 * schema is written from the Advanced Filtering guide
 * (developer.close.com/api/resources/advanced-filtering) and is the only
 * hand-written part of the drift check. Keep it narrow: anything not in the
 * guide is refused.
 */
const field = {
  oneOf: [
    {
      type: "object",
      properties: { type: { const: "regular_field" }, object_type: { type: "string" }, field_name: { type: "string" } },
      required: ["type", "object_type", "field_name"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: { type: { const: "custom_field" }, custom_field_id: { type: "string", pattern: "^cf_" } },
      required: ["type", "custom_field_id"],
      additionalProperties: false,
    },
  ],
};

const condition = {
  oneOf: [
    {
      type: "object",
      properties: { type: { const: "term" }, values: { type: "array", minItems: 1 } },
      required: ["type", "values"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: { type: { const: "text" }, mode: { enum: ["full_words", "phrase", "beginning_of_words"] }, value: { type: "string" } },
      required: ["type", "value"],
      additionalProperties: false,
    },
    { type: "object", properties: { type: { const: "exists" } }, required: ["type"], additionalProperties: false },
  ],
};

const objectType = { enum: ["lead", "contact", "contact_email", "opportunity", "address", "contact_phone"] };

export const searchRequestSchema = {
  $defs: {
    query: {
      oneOf: [
        {
          type: "object",
          properties: { type: { enum: ["and", "or"] }, queries: { type: "array", items: { $ref: "#/$defs/query" } } },
          required: ["type", "queries"],
          additionalProperties: false,
        },
        {
          type: "object",
          properties: { type: { const: "not" }, query: { $ref: "#/$defs/query" } },
          required: ["type", "query"],
          additionalProperties: false,
        },
        { type: "object", properties: { type: { const: "match_all" } }, required: ["type"], additionalProperties: false },
        {
          type: "object",
          properties: { type: { const: "object_type" }, object_type: objectType },
          required: ["type", "object_type"],
          additionalProperties: false,
        },
        {
          type: "object",
          properties: { type: { const: "field_condition" }, field, condition },
          required: ["type", "field", "condition"],
          additionalProperties: false,
        },
        {
          type: "object",
          properties: {
            type: { const: "has_related" },
            this_object_type: objectType,
            related_object_type: objectType,
            related_query: { $ref: "#/$defs/query" },
          },
          required: ["type", "this_object_type", "related_object_type", "related_query"],
          additionalProperties: false,
        },
      ],
    },
  },
  type: "object",
  properties: {
    query: { $ref: "#/$defs/query" },
    _fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
    _limit: { type: "integer", minimum: 1, maximum: 200 },
    cursor: { type: ["string", "null"] },
    results_limit: { type: "integer", minimum: 1 },
    include_counts: { type: "boolean" },
    sort: { type: "array" },
  },
  required: ["query"],
  additionalProperties: false,
};

export const searchResponseSchema = {
  type: "object",
  properties: {
    data: {
      type: "array",
      items: { type: "object", properties: { __object_type: { type: "string" }, id: { type: "string" } }, required: ["__object_type", "id"] },
    },
    cursor: { type: ["string", "null"] },
  },
  required: ["data", "cursor"],
};
