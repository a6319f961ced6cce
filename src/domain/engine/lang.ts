// Basic German and Spanish handling: a small glossary of everyday software/business words mapped to English
// (so a German ticket can still meet an English goal), diacritic folding and light plural/inflection stripping.
// Generic vocabulary only; anything rarer is left to the word vectors or not matched at all.

const DE_GLOSSARY: Record<string, string> = {
  mitarbeiter: 'employee', mitarbeitende: 'employee', angestellte: 'employee', kunde: 'customer', kunden: 'customer',
  rechnung: 'invoice', rechnungen: 'invoice', zahlung: 'payment', zahlungen: 'payment', kundigung: 'cancellation',
  vertrag: 'contract', vertrage: 'contract', sicherheit: 'security', fehler: 'error', leistung: 'performance',
  geschwindigkeit: 'speed', bericht: 'report', berichte: 'report', benutzer: 'user', nutzer: 'user', anmeldung: 'login',
  registrierung: 'registration', einstellungen: 'settings', vorlage: 'template', vorlagen: 'template', aufgabe: 'task',
  aufgaben: 'task', dokument: 'document', dokumente: 'document', unterlagen: 'document', unterschrift: 'signature',
  datenschutz: 'privacy', steuer: 'tax', steuern: 'tax', formular: 'form', formulare: 'form', lohn: 'payroll',
  gehalt: 'salary', urlaub: 'vacation', schulung: 'training', neu: 'new', neue: 'new', deutsch: 'german',
  deutschland: 'germany', land: 'country', lander: 'country', sprache: 'language', ubersetzung: 'translation',
  absturz: 'crash', langsam: 'slow', ausfall: 'outage', storung: 'incident', warnung: 'alert', uberwachung: 'monitoring',
  bereitstellung: 'deployment', suche: 'search', benachrichtigung: 'notification', erinnerung: 'reminder',
  abonnement: 'subscription', preis: 'price', preise: 'price', bestellung: 'order', lieferung: 'delivery',
  lager: 'warehouse', produkt: 'product', konto: 'account', passwort: 'password', datei: 'file', daten: 'data',
  pflicht: 'required', gesetz: 'law', gesetzlich: 'legal', richtlinie: 'policy', unternehmen: 'company',
  abteilung: 'department', team: 'team', woche: 'week', monat: 'month', tag: 'day', erste: 'first', ersten: 'first',
};

const ES_GLOSSARY: Record<string, string> = {
  empleado: 'employee', empleados: 'employee', cliente: 'customer', clientes: 'customer', factura: 'invoice',
  facturas: 'invoice', pago: 'payment', pagos: 'payment', cancelacion: 'cancellation', baja: 'cancellation',
  contrato: 'contract', contratos: 'contract', seguridad: 'security', fallo: 'failure', rendimiento: 'performance',
  informe: 'report', informes: 'report', reporte: 'report', usuario: 'user', usuarios: 'user', registro: 'registration',
  configuracion: 'settings', plantilla: 'template', plantillas: 'template', tarea: 'task', tareas: 'task',
  documento: 'document', documentos: 'document', firma: 'signature', privacidad: 'privacy', impuesto: 'tax',
  impuestos: 'tax', formulario: 'form', formularios: 'form', nomina: 'payroll', vacaciones: 'vacation',
  formacion: 'training', capacitacion: 'training', nuevo: 'new', nuevos: 'new', nueva: 'new', pais: 'country',
  paises: 'country', idioma: 'language', traduccion: 'translation', prueba: 'test', pruebas: 'test', lento: 'slow',
  caida: 'outage', incidente: 'incident', alerta: 'alert', monitoreo: 'monitoring', despliegue: 'deployment',
  busqueda: 'search', notificacion: 'notification', recordatorio: 'reminder', suscripcion: 'subscription',
  precio: 'price', pedido: 'order', entrega: 'delivery', almacen: 'warehouse', producto: 'product', cuenta: 'account',
  contrasena: 'password', archivo: 'file', datos: 'data', espana: 'spain', obligatorio: 'required', ley: 'law',
  legal: 'legal', politica: 'policy', empresa: 'company', departamento: 'department', equipo: 'team',
  semana: 'week', mes: 'month', dia: 'day', primer: 'first', primera: 'first', primero: 'first',
};

/** Folds diacritics for matching: "Kündigung" → "kundigung", "ß" → "ss", "ñ" → "n". */
export function foldDiacritics(word: string): string {
  return word.normalize('NFD').replace(/\p{M}+/gu, '').replace(/ß/g, 'ss');
}

/** English word for a German/Spanish glossary word (input already folded and lower-case), or undefined. */
export function translateWord(folded: string): string | undefined {
  return DE_GLOSSARY[folded] ?? ES_GLOSSARY[folded];
}

/** Light German stemmer: strips common inflection/plural endings, keeping at least 4 letters. */
export function stemGerman(w: string): string {
  for (const suf of ['ungen', 'heiten', 'keiten', 'ern', 'en', 'er', 'es', 'e', 'n', 's']) {
    if (w.length - suf.length >= 4 && w.endsWith(suf)) return w.slice(0, -suf.length);
  }
  return w;
}

/** Light Spanish stemmer: plural and gender endings ("-ciones" → "-cion", "-es", "-s", final "-a/-o"). */
export function stemSpanish(w: string): string {
  if (w.length > 7 && w.endsWith('ciones')) return w.slice(0, -2);
  for (const suf of ['es', 's', 'a', 'o']) {
    if (w.length - suf.length >= 4 && w.endsWith(suf)) return w.slice(0, -suf.length);
  }
  return w;
}
