-- Rule D1 (canvas.md section 4): per record key the latest version stands; a standing tombstone
-- removes the record. Ties on the version are broken by the later delivery, then the later line.
-- The *_current tables are what every later stage reads; the raw layer keeps every row.
--
-- The rule is written once here and applied to each source (a Go text/template; the fields come
-- from the source's contract in package schema): .Raw the raw-layer table, .Current the resolved
-- table, .Key the record key's columns, .Version the version column, .Tombstone and
-- .TombstoneValue the tombstone; .From and .Through bound the deliveries an incremental resolve
-- takes in (From < delivery_id <= Through).

{{define "standing"}}
SELECT r.* FROM {{.Raw}} r{{if .Incremental}} SEMI JOIN d1_keys USING ({{join .Key}}){{end}}
QUALIFY row_number() OVER (PARTITION BY {{join .Key}}
                           ORDER BY {{.Version}} DESC, delivery_id DESC, line DESC) = 1
    AND {{.Tombstone}} IS DISTINCT FROM '{{.TombstoneValue}}'
{{end}}

-- The whole raw layer: what --full, a new store and a store in an unknown state get.
{{define "full"}}
CREATE OR REPLACE TABLE {{.Current}} AS {{template "standing" .}};
{{end}}

-- Only the record keys that the new deliveries name: the standing row of such a key may change,
-- no other key's can. The temporary tables d1_keys and d1_standing are dropped by the caller.
{{define "incremental"}}
CREATE OR REPLACE TEMP TABLE d1_keys AS
SELECT DISTINCT {{join .Key}} FROM {{.Raw}} WHERE delivery_id > {{.From}} AND delivery_id <= {{.Through}};

CREATE OR REPLACE TEMP TABLE d1_standing AS {{template "standing" .}};

-- A key changed when it gains, loses or swaps its standing row (a row is its delivery and line).
INSERT INTO d1_changed (resolved_through, source, record_key, change)
SELECT {{.Through}}, '{{.Source}}', [{{join .Key}}],
       CASE WHEN o.delivery_id IS NULL THEN 'inserted' WHEN n.delivery_id IS NULL THEN 'removed' ELSE 'replaced' END
FROM d1_keys
LEFT JOIN {{.Current}} o USING ({{join .Key}})
LEFT JOIN d1_standing n USING ({{join .Key}})
WHERE (o.delivery_id, o.line) IS DISTINCT FROM (n.delivery_id, n.line);

DELETE FROM {{.Current}} USING d1_keys
WHERE {{range $i, $k := .Key}}{{if $i}} AND {{end}}{{$.Current}}.{{$k}} = d1_keys.{{$k}}{{end}};

INSERT INTO {{.Current}} SELECT * FROM d1_standing;
{{end}}
