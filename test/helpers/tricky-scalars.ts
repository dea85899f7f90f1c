/** Scalar texts where YAML readers disagree: what PyYAML, and so Ansible, makes of each is the reference. */
// prettier-ignore
export const TRICKY_SCALARS: readonly string[] = [
  // booleans, and the words the `yaml` package also took for booleans
  "yes", "Yes", "YES", "yEs", "no", "No", "NO", "nO", "true", "True", "TRUE", "tRue", "false", "False", "FALSE",
  "on", "On", "ON", "oN", "off", "Off", "OFF", "y", "Y", "n", "N", "t", "f",
  // integers: octal, binary, hex, underscores, sexagesimal
  "0", "-0", "+0", "00", "0755", "-0755", "0_7", "08", "09", "0o17", "0b101", "-0b101", "0b_1", "0x1F", "0x_1f", "-0x1F",
  "0X1F", "0xg", "1_000", "1__0", "_1", "1_", "12345678901234567890", "1:30", "-1:30", "1:30:45", "1:60", "1:5", "0:30",
  "190:20:30", "1_0:30", "+12", "-12", "1:2:3:4",
  // floats: the exponent needs a sign and a dot, `.inf`/`.nan` only in three spellings
  "1.5", "1.", ".5", "-.5", "+.5", "1.5e3", "1.5e+3", "1.5E-3", "1e3", "1E3", "1e+3", "1.0e3", "1.e+3", ".5e+3", "e5", "e1",
  "1_000.5", "1:30.5", "1:30.", "-1:30.5", ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".iNf", "inf", ".nan", ".NaN", ".NAN",
  "-.nan", "nan", "NaN", "Infinity", "1.5e+3_", "-0.0", "0.0", "3.14159265358979323846", "1.7976931348623157e+308", "9.9e+999",
  "0.00001", "0.0001", "1234567890123456789.0", "10000000000000000.0", "1._", "1.2.3", "10.0.0.1",
  // null
  "~", "null", "Null", "NULL", "nULL", "",
  // timestamps: dates, date-times with and without a zone; impossible ones are refused
  "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10",
  "2001-12-14 21:59:43.123456789 +5:30", "2001-12-14 21:59:43", "2001-1-1", "2001-1-1 1:02:03", "2001-12-14t21:59:43-0",
  "2001-12-14 1:2:03", "2000-02-29", "2001-02-29", "2001-13-01", "2001-12-14 24:00:00", "2001-12-14 23:59:60",
  "2001-12-14T00:00:00+24", "2001-12-14T00:00:00+23:99", "2001-12-14T00:00:00.000000", "2001-12-14x",
  // merge and value indicators outside a key are refused; explicit tags build from any text
  "=", "<<", "'<<'", "!!int 0o17", "!!int ' 12 '", "!!float 1", "!!float 1e3", "!!bool x", "!!null abc", "!!str 1.5",
  "!!timestamp 2001-1-1", "!!str yes",
  // quoted scalars stay strings
  "'yes'", "\"1e3\"", "'2001-12-14'", "'~'",
];
