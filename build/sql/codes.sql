-- The reference code lists, so that members can label and group the canvas's codes.

CREATE TABLE canvas_new.code_districts AS SELECT * FROM code_districts;
CREATE TABLE canvas_new.code_offices AS SELECT * FROM code_offices;
CREATE TABLE canvas_new.code_courts AS SELECT * FROM code_courts;
CREATE TABLE canvas_new.code_offence_types AS SELECT * FROM code_offence_types;
CREATE TABLE canvas_new.code_exploitation_forms AS SELECT * FROM code_exploitation_forms;
CREATE TABLE canvas_new.code_eu_membership AS SELECT * FROM code_eu_membership;
CREATE TABLE canvas_new.code_countries AS SELECT * FROM code_countries;
