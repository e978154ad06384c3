mod parse_table;
