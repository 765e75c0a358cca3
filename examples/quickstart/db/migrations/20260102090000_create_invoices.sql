-- migrate:up
create table invoices (
  id integer primary key,
  customer_id integer not null references customers(id),
  amount_cents integer not null check (amount_cents >= 0),
  issued_on text not null
);
create index invoices_customer_id on invoices(customer_id);

-- migrate:down
drop table invoices;
