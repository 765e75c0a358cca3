CREATE TABLE customers (
  id integer primary key,
  email text not null unique,
  name text not null,
  created_at text not null default current_timestamp
);

CREATE TABLE invoices (
  id integer primary key,
  customer_id integer not null references customers(id),
  amount_cents integer not null check (amount_cents >= 0),
  issued_on text not null
);

CREATE INDEX invoices_customer_id on invoices(customer_id);
