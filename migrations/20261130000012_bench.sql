-- The benchmark's reference page reads this small table (one query, one
-- template), as TechEmpower's "Fortunes" test does. It holds no tenant data.
create table bench_fortunes (
    id integer primary key,
    message text not null
);
insert into bench_fortunes (id, message) values
    (1, 'A plan that nobody follows is a wish.'),
    (2, 'Tripartite dialogue takes time and saves more.'),
    (3, 'What gets measured gets discussed.'),
    (4, 'A focal point is only as good as the hand-over note.'),
    (5, 'Minutes forgotten are decisions lost.'),
    (6, 'Late is better than silent.'),
    (7, '<script>alert("escaped, not run")</script>'),
    (8, 'Every quarter has a target, or none at all.'),
    (9, 'Survivors know what works.'),
    (10, 'The budget line tells the truth.'),
    (11, 'Frère Jacques, dormez-vous ? ¿Dónde está la reunión?'),
    (12, 'An indicator without a baseline is a guess.');
grant select on bench_fortunes to nap_app;
